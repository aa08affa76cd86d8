package broken

func F() int {
	return undefinedName
}
