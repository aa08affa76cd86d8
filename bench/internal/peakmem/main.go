// Command peakmem runs a command and prints, on one line to standard
// error (or to -o FILE), how long it took and how much memory it used:
//
//	wall_seconds max_process_rss_kb peak_tree_rss_kb exit_status
//
// max_process_rss_kb is what /usr/bin/time -f %M prints: the kernel's
// ru_maxrss of the waited-for children, i.e. the largest resident set
// any single process of the tree reached (the command itself, or a go
// list, compile or vet process it started and waited for). It is not
// a sum: go vet running two vet processes at once counts as one.
//
// peak_tree_rss_kb is the largest sum of the resident sets of the
// command and all its descendants alive at the same moment, sampled
// every -every (Linux /proc). It counts what runs in parallel, which
// is the memory a machine must really have; pages shared between
// processes (program text) are counted once per process.
//
// The command's own output goes where peakmem's goes.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	out := flag.String("o", "", "write the measurement line to this file instead of standard error")
	every := flag.Duration("every", 50*time.Millisecond, "how often to sample the process tree's memory")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: peakmem [-o FILE] [-every DURATION] command [args...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "peakmem:", err)
		os.Exit(2)
	}
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var max int64
		tick := time.NewTicker(*every)
		defer tick.Stop()
		for {
			if kb := treeRSS(cmd.Process.Pid); kb > max {
				max = kb
			}
			select {
			case <-done:
				peak <- max
				return
			case <-tick.C:
			}
		}
	}()
	err := cmd.Wait()
	wall := time.Since(start)
	close(done)
	tree := <-peak
	status := 0
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		status = exit.ExitCode()
	case err != nil:
		fmt.Fprintln(os.Stderr, "peakmem:", err)
		os.Exit(2)
	}
	var maxrss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxrss = ru.Maxrss // kilobytes on Linux
	}
	if tree < maxrss {
		tree = maxrss // a peak between two samples
	}
	line := fmt.Sprintf("%.2f %d %d %d\n", wall.Seconds(), maxrss, tree, status)
	if *out == "" {
		fmt.Fprint(os.Stderr, line)
		return
	}
	if err := os.WriteFile(*out, []byte(line), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "peakmem:", err)
		os.Exit(2)
	}
}

// treeRSS returns the summed resident set, in kilobytes, of root and
// its descendants alive now.
func treeRSS(root int) int64 {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	parent := make(map[int]int)
	rss := make(map[int]int64)
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, kb, ok := stat(pid)
		if !ok {
			continue
		}
		parent[pid], rss[pid] = ppid, kb
	}
	var sum int64
	for pid, kb := range rss {
		for p := pid; p > 1; p = parent[p] {
			if p == root {
				sum += kb
				break
			}
		}
	}
	return sum
}

var pageKB = int64(os.Getpagesize() / 1024)

// stat reads a process's parent and resident set from /proc/PID/stat.
func stat(pid int) (ppid int, rssKB int64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state): ppid is field 4, rss (pages) field 24.
	if len(f) < 22 {
		return 0, 0, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	pages, err2 := strconv.ParseInt(f[21], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return ppid, pages * pageKB, true
}
