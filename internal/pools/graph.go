package pools

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/cfg"
)

// Graph is the control-flow graph of one function with each node's
// block and index, and the predecessors of each block.
type Graph struct {
	CFG   *cfg.CFG
	Body  *ast.BlockStmt
	Preds map[*cfg.Block][]*cfg.Block
	// RangeVar holds the key and value expressions of the body's range
	// statements: the graph lists them as nodes, but they are
	// assignments (each iteration gives them a new value).
	RangeVar map[ast.Node]bool
	switches map[ast.Node]*ast.TypeSwitchStmt // by the switch's assign statement
	where    map[ast.Node]loc
	// reachable holds the body's variables that calls may write
	// (address taken, assigned in a function literal); built on demand.
	reachable map[*types.Var]bool
}

type loc struct {
	b *cfg.Block
	i int
}

// NewGraph indexes g.
func NewGraph(g *cfg.CFG, body *ast.BlockStmt) *Graph {
	gr := &Graph{CFG: g, Body: body, Preds: make(map[*cfg.Block][]*cfg.Block), RangeVar: make(map[ast.Node]bool), switches: make(map[ast.Node]*ast.TypeSwitchStmt), where: make(map[ast.Node]loc)}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.TypeSwitchStmt:
			gr.switches[n.Assign] = n
		case *ast.RangeStmt:
			if n.Key != nil {
				gr.RangeVar[n.Key] = true
			}
			if n.Value != nil {
				gr.RangeVar[n.Value] = true
			}
		}
		return true
	})
	for _, b := range g.Blocks {
		for _, s := range b.Succs {
			gr.Preds[s] = append(gr.Preds[s], b)
		}
		for i, n := range b.Nodes {
			gr.where[n] = loc{b, i}
		}
	}
	return gr
}

// NodeOf returns the CFG node (statement or expression of a block)
// that contains pos, with its block and index, searching the nodes
// whose extent covers pos.
func (g *Graph) NodeOf(n ast.Node) (*cfg.Block, int, bool) {
	var best loc
	found := false
	for node, l := range g.where {
		if node.Pos() <= n.Pos() && n.End() <= node.End() {
			if !found || node.End()-node.Pos() < best.b.Nodes[best.i].End()-best.b.Nodes[best.i].Pos() {
				best, found = l, true
			}
		}
	}
	if !found {
		return nil, 0, false
	}
	return best.b, best.i, true
}

// Exits returns the live blocks without successors: where the function
// returns (or panics, or calls a function that never returns).
func (g *Graph) Exits() []*cfg.Block {
	var out []*cfg.Block
	for _, b := range g.CFG.Blocks {
		if b.Live && len(b.Succs) == 0 {
			out = append(out, b)
		}
	}
	return out
}

// RangeAssigns reports whether block b is the body of a range statement
// whose key or value is one of objs: entering it reassigns them.
func RangeAssigns(pass *analysis.Pass, b *cfg.Block, objs map[types.Object]bool) bool {
	rs, ok := b.Stmt.(*ast.RangeStmt)
	if !ok || b.Kind != cfg.KindRangeBody {
		return false
	}
	for _, e := range []ast.Expr{rs.Key, rs.Value} {
		if id, ok := e.(*ast.Ident); ok && objs[pass.TypesInfo.ObjectOf(id)] {
			return true
		}
	}
	return false
}

// Rebinds reports whether node n is the `x := y.(type)` of a type
// switch whose clauses declare one of objs: each time it runs, the
// clause's x is a new value.
func (g *Graph) Rebinds(pass *analysis.Pass, n ast.Node, objs map[types.Object]bool) bool {
	ts := g.switches[n]
	if ts == nil || objs == nil {
		return false
	}
	for _, cl := range ts.Body.List {
		if o := pass.TypesInfo.Implicits[cl]; o != nil && objs[o] {
			return true
		}
	}
	return false
}
