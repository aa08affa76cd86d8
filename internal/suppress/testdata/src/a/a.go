package a

func report() {}

func f() {
	report() // want "call to report"

	//silentfail:ignore callcheck the line below is suppressed
	report()

	report() //silentfail:ignore callcheck suppressed on its own line

	//silentfail:ignore othercheck a directive for another check suppresses nothing here
	report() // want "call to report"

	//silentfail:ignore callcheck,othercheck a list of checks
	report()

	//silentfail:ignore callcheck // want `has no reason, so it suppresses nothing`
	report() // want "call to report"

	//silentfail:ignore callcheck only the next line

	report() // want "call to report"
}
