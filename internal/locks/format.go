package locks

import (
	"go/ast"
	"go/constant"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"
)

// A formatted argument is one a fmt or log call prints by calling its
// String or Error method, which the call thus runs on this goroutine.
type formatted struct {
	arg    ast.Expr
	method *types.Func
}

// printers are the functions and *log.Logger methods that format their
// arguments before they return; those ending in f take a format first.
var printers = map[string]map[string]bool{
	"fmt": {
		"Print": true, "Println": true, "Printf": true,
		"Sprint": true, "Sprintln": true, "Sprintf": true,
		"Fprint": true, "Fprintln": true, "Fprintf": true,
		"Append": true, "Appendln": true, "Appendf": true,
		"Errorf": true,
	},
	"log": {
		"Print": true, "Println": true, "Printf": true,
		"Fatal": true, "Fatalln": true, "Fatalf": true,
		"Panic": true, "Panicln": true, "Panicf": true,
	},
}

// formattedArgs returns the arguments call prints through a String or
// Error method of this package. A print without a format prints each
// operand with %v; with a format, only the operands of %v, %s, %q, %x
// and %X are printed through the method, so the format must be a
// constant whose verbs the check can pair with the operands (no
// explicit argument index); %#v calls GoString instead. A type with a
// Format method, or whose method is not this package's, is left out:
// fmt does not call String then, or the check cannot see what it locks.
func (r *Result) formattedArgs(call *ast.CallExpr) []formatted {
	fn, _ := typeutil.Callee(r.info, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil || !printers[fn.Pkg().Path()][fn.Name()] {
		return nil
	}
	if recv := fn.Signature().Recv(); recv != nil && types.TypeString(recv.Type(), nil) != "*log.Logger" {
		return nil
	}
	// A print call is met on every pass of every walk (the fixed point,
	// the report, MayLock): its operands are judged once.
	if out, ok := r.printed[call]; ok {
		return out
	}
	if r.printed == nil {
		r.printed = make(map[*ast.CallExpr][]formatted)
	}
	out := r.printedArgs(call, fn)
	r.printed[call] = out
	return out
}

// printedArgs judges the operands of call, a call of printer fn.
func (r *Result) printedArgs(call *ast.CallExpr, fn *types.Func) []formatted {
	args := call.Args
	switch fn.Name() {
	case "Fprint", "Fprintln", "Fprintf", "Append", "Appendln", "Appendf":
		if len(args) == 0 {
			return nil
		}
		args = args[1:] // the writer or buffer
	}
	verbs := make([]rune, len(args))
	for i := range verbs {
		verbs[i] = 'v'
	}
	if last := fn.Name()[len(fn.Name())-1]; last == 'f' {
		if len(args) == 0 {
			return nil
		}
		tv, ok := r.info.Types[args[0]]
		if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
			return nil
		}
		args = args[1:]
		verbs, ok = pairVerbs(constant.StringVal(tv.Value), len(args))
		if !ok {
			return nil
		}
	}
	var out []formatted
	for i, a := range args {
		switch verbs[i] {
		case 'v', 's', 'q', 'x', 'X':
		default:
			continue
		}
		if m := r.printMethod(r.info.TypeOf(a)); m != nil {
			out = append(out, formatted{arg: a, method: m})
		}
	}
	return out
}

// printMethod returns the method fmt calls to print a value of type t
// with %v: Error for an error, else String; nil when t has a Format
// method (fmt prefers it), or when the method is not declared in this
// package.
func (r *Result) printMethod(t types.Type) *types.Func {
	if t == nil || types.IsInterface(t) {
		return nil
	}
	ms := types.NewMethodSet(t)
	has := func(name string) *types.Func {
		for i := range ms.Len() {
			if f, ok := ms.At(i).Obj().(*types.Func); ok && f.Name() == name {
				return f
			}
		}
		return nil
	}
	if has("Format") != nil {
		return nil
	}
	m := has("Error")
	if m == nil {
		m = has("String")
	}
	if m == nil || m.Signature().Params().Len() != 0 || r.decls.Of(m) == nil {
		return nil
	}
	return m
}

// pairVerbs returns the verb that prints each of n operands of format,
// or false when the format uses explicit argument indexes or does not
// consume exactly n operands.
func pairVerbs(format string, n int) ([]rune, bool) {
	var verbs []rune
	rs := []rune(format)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '%' {
			continue
		}
		i++
		sharp := false
		for i < len(rs) && (rs[i] == '+' || rs[i] == '-' || rs[i] == '#' || rs[i] == ' ' || rs[i] == '0') {
			sharp = sharp || rs[i] == '#'
			i++
		}
		for i < len(rs) && (rs[i] >= '0' && rs[i] <= '9' || rs[i] == '.' || rs[i] == '*' || rs[i] == '[') {
			switch rs[i] {
			case '[':
				return nil, false
			case '*':
				verbs = append(verbs, '*')
			}
			i++
		}
		if i >= len(rs) {
			return nil, false
		}
		switch {
		case rs[i] == '%':
		case sharp && rs[i] == 'v':
			verbs = append(verbs, '#') // %#v calls GoString, never String
		default:
			verbs = append(verbs, rs[i])
		}
	}
	if len(verbs) != n {
		return nil, false
	}
	return verbs, true
}
