package main

func flush() {}

func init() {
	defer func() { go flush() }()
}

func main() {
	defer func() { go flush() }()
}
