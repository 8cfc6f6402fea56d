module github.com/fogbank/fogbank/bench/tpchgen

go 1.26.8

require github.com/pingcap/go-tpc v1.0.7
