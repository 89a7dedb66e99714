package records

import (
	"strings"
	"testing"
)

// Every message formats cleanly with what FieldError.Message passes (the
// field's label first, then Args): no "%!(EXTRA …)" for a message that names
// no field (found as 找不到该人员%!(EXTRA string=人员)), no "%!d(MISSING)".
func TestMessagesFormatCleanly(t *testing.T) {
	args := map[string][]any{
		KeyTooLong: {50}, KeyEnum: {"a、b"}, KeyBeforeStart: {Label("start_date")},
		KeyTooMany: {10}, KeyIDTooYoung: {16}, KeyUnknownField: {"id_number"}, KeyInconsistent: {Label("list_type")},
		KeyOnlyWith:        {Label("void_reason")},
		KeyUnemployedField: {Label("list_type")}, KeyWelfareAway: {Label("work_scope")}, KeyMonitorTag: {Label("tags")},
		KeyEdgeLifted: {Label("tags")}, KeyInsuranceGap: {"2026-01-01至2026-12-31"}, KeyBeyondContract: {"2026-12-31"},
		KeyInWelfarePost: {"2026-01-01至2026-12-31"}, KeySentOut: {"2026-06-10"}, KeyContractTooLong: {"2026-12-31"},
		KeyPostFull: {int64(2)}, KeyOutsideTerm: {"2026-01-01至2026-12-31"},
		KeySharedOverlap: {"2026-01-01至2026-06-30"}, KeyOutsideProject: {"2026-01-01至2026-12-31"},
		KeyJobsOutside: {"2026-01-01至2026-12-31"}, KeyNotAfter: {Label("start_on")},
		KeyMoreThan: {Label("attendees")}, KeyBelowPlaced: {2},
	}
	for key := range messages {
		for _, lang := range []string{"zh", "en"} {
			for _, field := range []string{"worker_id", ""} {
				msg := (&FieldError{Field: field, Key: key, Args: args[key]}).Message(lang)
				if strings.Contains(msg, "%!") || msg == "" {
					t.Errorf("%s (%s, field %q): %q", key, lang, field, msg)
				}
			}
		}
	}
	if got := (&FieldError{Field: "worker_id", Key: KeyNoWorker}).Message("zh"); got != "找不到该人员" {
		t.Errorf("no worker: %q", got)
	}
}
