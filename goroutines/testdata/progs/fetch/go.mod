module fetch

go 1.21
