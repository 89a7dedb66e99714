package hubweb

import (
	"io"
	"net/http"

	"fieldsync/internal/jsontext"
	"fieldsync/records"
)

// readJSONText reads a JSON request body of at most limit bytes. Text that is
// not valid UTF-8 (or a \u escape of a lone UTF-16 surrogate) is refused:
// encoding/json would silently replace it with U+FFFD, so the hub would act
// on, and keep, a value nobody typed. On refusal it answers 400, naming the
// field when it can be told, and returns false.
func readJSONText(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	lang := apiLang(r)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		apiError(w, http.StatusBadRequest, "", records.Message(lang, records.KeyBadJSON))
		return nil, false
	}
	bad, field := jsontext.Bad(body)
	if !bad {
		return body, true
	}
	msg := msg2(lang, "请求含有无效字符（不是有效的 UTF-8 文本）", "The request holds invalid characters (not valid UTF-8 text)")
	if field != "" {
		msg = records.FieldLabel(lang, field) + msg2(lang, "含有无效字符（不是有效的 UTF-8 文本），请检查后重新输入",
			" holds invalid characters (not valid UTF-8 text); please check it and type it again")
	}
	apiError(w, http.StatusBadRequest, field, msg)
	return nil, false
}
