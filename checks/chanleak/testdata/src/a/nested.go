package a

// Senders in nested loops: the count is a product, no fix offered.
func CheckShards(inv *Inventory, shards [][]string) error {
	errc := make(chan error)
	for _, shard := range shards {
		for _, id := range shard {
			go func() { errc <- inv.Check(id) }() // want `the goroutines started at line 8 \(one per iteration of the nested loops at line 6\) block forever sending on errc: .*give errc a buffer for every sender`
		}
	}
	for _, shard := range shards {
		for range shard {
			if err := <-errc; err != nil {
				return err
			}
		}
	}
	return nil
}

// A buffer per shard, drained completely.
func CheckShardsDrained(inv *Inventory, shards [][]string) error {
	var first error
	for _, shard := range shards {
		errc := make(chan error, len(shard))
		for _, id := range shard {
			go func() { errc <- inv.Check(id) }()
		}
		for range shard {
			if err := <-errc; err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}
