package glue_test

import "time"

func srvNow() time.Time { return time.Now().UTC().Truncate(time.Second) }
