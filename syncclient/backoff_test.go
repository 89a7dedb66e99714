package syncclient

import (
	"testing"
	"time"
)

func TestBackoffGrowsWithJitterUpToMax(t *testing.T) {
	cur, max := time.Second, 8*time.Second
	seen := map[time.Duration]bool{}
	for i := 0; i < 10; i++ {
		wait, next := nextBackoff(cur, max)
		if wait < cur/2 || wait > cur {
			t.Fatalf("wait %s outside [%s, %s]", wait, cur/2, cur)
		}
		if next != min(cur*2, max) {
			t.Fatalf("next %s after %s", next, cur)
		}
		seen[wait] = true
		cur = next
	}
	if cur != max {
		t.Fatalf("backoff %s, want the max %s", cur, max)
	}
	if len(seen) < 5 {
		t.Fatalf("waits not jittered: %v", seen)
	}
}
