// Package chromium starts the headless Chromium that fieldsync drives (its
// browser tests, its screenshots) with the flags that keep it off the
// network and let it run as root in a container.
package chromium

import "github.com/chromedp/chromedp"

// Path is where Debian's chromium package puts the browser.
const Path = "/usr/bin/chromium"

// Options are the allocator's options: headless, no sandbox (root in CI),
// no GPU, no first-run or default-browser prompts, no background network
// (QUIC, component updates, sync), a profile in profileDir and a window of
// width×height.
func Options(profileDir string, width, height int) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profileDir),
		chromedp.WindowSize(width, height),
	}
}
