// Package browsertest starts the real headless Chromium that fieldsync's
// browser tests drive, with the flags that keep it off the network.
package browsertest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fieldsync/internal/chromium"
)

// ChromiumPath is where Debian's chromium package puts the browser.
const ChromiumPath = chromium.Path

// Browser is a Chromium driven by one test; its steps fail the test on error.
type Browser struct {
	t   *testing.T
	ctx context.Context
}

// Do runs browser steps.
func (b *Browser) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// TryGet runs one step that reads a string from the page and returns its
// error instead of failing the test: for polling while the page navigates
// (a read then can fail with "Inspected target navigated or closed").
func (b *Browser) TryGet(a chromedp.Action[string]) (string, error) {
	return chromedp.Run(b.ctx, a)
}

// WaitURL polls the page's location until it holds part (a click that
// navigates has landed), reading again past a read that fails while the
// page navigates; it fails the test after 30 s.
func (b *Browser) WaitURL(part string) {
	b.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		loc, err := b.TryGet(chromedp.Location())
		if err == nil && strings.Contains(loc, part) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("never reached a page with %q (at %s, %v)", part, loc, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Get runs one step that reads a string from the page.
func (b *Browser) Get(a chromedp.Action[string]) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// New starts Chromium with a fresh profile and a 1366×768 window (the
// stations' screens), closed when the test ends. Without Chromium the test is
// skipped, except under CI=true, where that is a failure.
func New(t *testing.T) *Browser {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is required on CI: %v", err)
		}
		t.Skipf("chromium not installed (%v): apt-get install chromium", err)
	}
	opts := chromium.Options(t.TempDir(), 1366, 768)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return &Browser{t: t, ctx: ctx}
}
