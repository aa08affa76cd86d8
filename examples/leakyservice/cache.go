package main

import "sync"

// priceCache keeps the prices quoted by the upstreams.
type priceCache struct {
	mu     sync.RWMutex
	prices map[string]float64
}

func newPriceCache() *priceCache { return &priceCache{prices: make(map[string]float64)} }

func (c *priceCache) Get(sku string) (float64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.prices[sku]
	return p, ok
}

func (c *priceCache) Put(sku string, p float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prices[sku] = p
}

// Len is the number of cached prices.
func (c *priceCache) Len() int {
	c.mu.RLock()
	// BUG(deferlock): RLock released with Unlock: "fatal error: sync: Unlock of unlocked RWMutex" kills the process
	defer c.mu.Unlock()
	return len(c.prices)
}

// Snapshot copies the cached prices for the admin page.
func (c *priceCache) Snapshot() map[string]float64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make(map[string]float64, len(c.prices))
	for sku := range c.prices {
		// BUG(relock.read): Get read-locks c.mu again: a Put that queues between the two read locks waits for the first, this one waits for the Put, and the admin page and every price update hang
		out[sku], _ = c.Get(sku)
	}
	return out
}
