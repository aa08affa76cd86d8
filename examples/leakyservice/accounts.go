package main

import "sync"

// book is the journal of an account's movements; account holds the
// balance. Each has its own mutex.
type book struct {
	mu      sync.Mutex
	entries []string
	acct    *account
}

type account struct {
	mu      sync.Mutex
	balance int
	journal *book
}

// Post records a movement and updates the balance: book, then account.
func (b *book) Post(entry string, amount int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.entries = append(b.entries, entry)
	b.acct.add(amount)
}

func (a *account) add(amount int) {
	a.mu.Lock()
	a.balance += amount
	a.mu.Unlock()
}

func (b *book) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.entries)
}

// Statement reads the balance and the number of movements: account,
// then book.
func (a *account) Statement() (int, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	// BUG(lockorder): account then book here, book then account in Post: a statement and a posting at once each hold one lock and wait for the other
	n := a.journal.count()
	return a.balance, n
}
