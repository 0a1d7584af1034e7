package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"cmhub/internal/platform"
)

const maxJSONBody = 1 << 20

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// decode reads a JSON body strictly: at most 1 MiB, no unknown fields, one
// value. Errors name the offending field where the decoder knows it.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &apiError{Status: http.StatusUnsupportedMediaType, Code: "bad_request", Message: "须为 application/json body must be application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		return err
	}
	// NUL cannot be stored in PostgreSQL text and has no business in any field.
	if bytes.Contains(bytes.ToLower(body), []byte(`\u0000`)) {
		return badRequest("", "文本中不能包含 NUL 字符 text must not contain NUL characters")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("", "请求体只能包含一个 JSON 对象 body must hold a single JSON value")
	}
	return nil
}

func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &se):
		return badRequest("", fmt.Sprintf("JSON 格式错误（第 %d 字节）malformed JSON at byte %d", se.Offset, se.Offset))
	case errors.As(err, &te):
		f := te.Field
		if f == "" {
			f = "body"
		}
		return badRequest(f, fmt.Sprintf("类型错误，应为 %s wrong type, want %s", te.Type, te.Type))
	case errors.Is(err, io.EOF):
		return badRequest("", "请求体为空 empty body")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("", "JSON 不完整 truncated JSON")
	case errors.Is(err, platform.ErrBadDate):
		return badRequest("", "日期须为 YYYY-MM-DD dates must be YYYY-MM-DD")
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		f = strings.Trim(f, `"`)
		return badRequest(f, "未知字段 unknown field")
	}
	return badRequest("", "JSON 无法解析 cannot parse JSON")
}

// query helpers: each names the parameter it rejects.

func qInt(r *http.Request, name string) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, badRequest(name, "须为非负整数 must be a non-negative integer")
	}
	return n, nil
}

func qInt64(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, badRequest(name, "须为编号 must be an id")
	}
	return n, nil
}

func qDate(r *http.Request, name string) (platform.Date, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return platform.Date{}, nil
	}
	d, err := platform.ParseDate(s)
	if err != nil {
		return d, badRequest(name, "须为日期 YYYY-MM-DD must be a date YYYY-MM-DD")
	}
	return d, nil
}

func pathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		// A malformed id can name no object: same answer as a missing one.
		return 0, platform.ErrNotFound
	}
	return n, nil
}

// paging reads page (default 1) and pageSize (default 20, 1–500); every
// list endpoint uses it so they all answer alike.
func paging(r *http.Request) (page, size int, err error) {
	if page, err = qInt(r, "page"); err != nil {
		return 0, 0, err
	}
	if page == 0 {
		page = 1
	}
	if !r.URL.Query().Has("pageSize") {
		return page, 20, nil
	}
	if size, err = qInt(r, "pageSize"); err != nil || size < 1 || size > 500 {
		return 0, 0, badRequest("pageSize", "每页 1–500 条 must be 1–500")
	}
	return page, size, nil
}
