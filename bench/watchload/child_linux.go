package main

import "syscall"

// childAttr makes a service die with the process that started it: a
// killed measurement leaves no service running (and holding whatever
// the parent had open).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
