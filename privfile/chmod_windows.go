//go:build windows

package privfile

// chmodPrivate does nothing on Windows: a mode there is only the read-only
// attribute, and what keeps the files private is the ACL they inherit from
// their folder (the installer's data folder grants SYSTEM and
// Administrators only; a folder under a user's profile, that user). Setting
// the attribute on SQLite's memory-mapped -shm file while it is open also
// fails under wine with a sharing violation.
func chmodPrivate(string) error { return nil }
