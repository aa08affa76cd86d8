package a

// No suggested fix: the body steps i itself, so a copy at the top of
// the body would stop it from steering the loop.
func Continuations(lines []string, handle func(string)) {
	done := make(chan bool, len(lines))
	for i := 0; i < len(lines); i++ {
		if lines[i] == `\` {
			i++
		}
		go func() {
			handle(lines[i])
			done <- true
		}()
	}
}

// No suggested fix: the body already declares a v of its own after the
// goroutine, so v := v at its top would not compile.
func Shadowed(xs []int, use func(int)) {
	for _, v := range xs {
		go func() {
			use(v)
		}()
		v := v * 2
		use(v)
	}
}
