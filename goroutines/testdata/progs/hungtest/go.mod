module hungtest

go 1.21
