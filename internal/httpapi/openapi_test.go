package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"cmhub/internal/access"
	"cmhub/internal/customer"
	"cmhub/internal/httpapi"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
)

// The OpenAPI document is the contract of the API: every response of every
// API test goes through checkResponse, which finds the documented
// operation and response and validates the body against its schema.

const (
	openAPIFile = "openapi.json"
	openAPIURL  = "mem://openapi.json"
)

var oaMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// oaOperation is one documented method + path template.
type oaOperation struct {
	method string   // lower case, as in the document
	path   string   // the template, e.g. /api/people/{id}
	segs   []string // the template split on "/"
	ptr    string   // JSON pointer of the operation object
	obj    map[string]any
}

// oaDoc is the loaded and compiled document.
type oaDoc struct {
	doc     map[string]any
	ops     []*oaOperation
	schemas map[string]*jsonschema.Schema // compiled response schemas by JSON pointer
	routes  *http.ServeMux                // the real route table, to tell undocumented routes from no route
}

var (
	openAPIOnce   sync.Once
	openAPILoaded *oaDoc
	openAPIErr    error
	// oaSeen records "METHOD /template status" for every validated response.
	oaSeen sync.Map
)

// loadOpenAPI reads and compiles the document once per test binary.
func loadOpenAPI() (*oaDoc, error) {
	openAPIOnce.Do(func() { openAPILoaded, openAPIErr = buildOpenAPI() })
	return openAPILoaded, openAPIErr
}

// oaPtrEscape escapes one JSON-pointer reference token (RFC 6901).
func oaPtrEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func oaPtrUnescape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// oaLookup resolves a JSON pointer ("" or "/a/b") in v.
func oaLookup(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = oaPtrUnescape(tok)
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// oaRefPointer turns a local "$ref" ("#/components/...") into a JSON pointer.
func oaRefPointer(ref string) (string, error) {
	if !strings.HasPrefix(ref, "#") {
		return "", fmt.Errorf("$ref %q is not local to the document", ref)
	}
	frag, err := url.PathUnescape(ref[1:])
	if err != nil {
		return "", fmt.Errorf("$ref %q: %w", ref, err)
	}
	return frag, nil
}

// deref follows OpenAPI-level references (responses, parameters, request
// bodies); it returns the object and its pointer.
func (o *oaDoc) deref(v any, ptr string) (map[string]any, string, error) {
	for range 10 {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, ptr, fmt.Errorf("%s is not an object", ptr)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, ptr, nil
		}
		p, err := oaRefPointer(ref)
		if err != nil {
			return nil, ptr, err
		}
		if v, ok = oaLookup(o.doc, p); !ok {
			return nil, ptr, fmt.Errorf("%s: $ref %q does not resolve", ptr, ref)
		}
		ptr = p
	}
	return nil, ptr, fmt.Errorf("%s: $ref chain too long", ptr)
}

func oaCompiler(doc any) (*jsonschema.Compiler, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat() // "date" and "date-time" are checked, not just annotations
	if err := c.AddResource(openAPIURL, doc); err != nil {
		return nil, err
	}
	return c, nil
}

func buildOpenAPI() (*oaDoc, error) {
	raw, err := os.ReadFile(openAPIFile)
	if err != nil {
		return nil, err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", openAPIFile, err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not a JSON object", openAPIFile)
	}
	o := &oaDoc{doc: doc, schemas: map[string]*jsonschema.Schema{}}
	c, err := oaCompiler(doc)
	if err != nil {
		return nil, err
	}
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		return nil, fmt.Errorf("%s has no paths", openAPIFile)
	}
	for path, item := range paths {
		im, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("path %s is not an object", path)
		}
		for _, m := range oaMethods {
			om, ok := im[m].(map[string]any)
			if !ok {
				continue
			}
			op := &oaOperation{method: m, path: path, segs: strings.Split(path, "/"), ptr: "/paths/" + oaPtrEscape(path) + "/" + m, obj: om}
			o.ops = append(o.ops, op)
			if err := o.compileResponses(c, om["responses"], op.ptr+"/responses"); err != nil {
				return nil, err
			}
		}
	}
	if un, ok := doc["x-unmatched"].(map[string]any); ok {
		if err := o.compileResponses(c, un["responses"], "/x-unmatched/responses"); err != nil {
			return nil, err
		}
	}
	o.routes = http.NewServeMux()
	noop := func(http.ResponseWriter, *http.Request) {}
	for _, r := range oaRoutes() {
		o.routes.HandleFunc(r.Method+" "+r.Path, noop)
	}
	return o, nil
}

// compileResponses compiles the schema of every JSON media type of every
// response in a responses object.
func (o *oaDoc) compileResponses(c *jsonschema.Compiler, responses any, ptr string) error {
	rs, ok := responses.(map[string]any)
	if !ok || len(rs) == 0 {
		return fmt.Errorf("%s: no responses", ptr)
	}
	for status, r := range rs {
		resp, rptr, err := o.deref(r, ptr+"/"+oaPtrEscape(status))
		if err != nil {
			return err
		}
		content, _ := resp["content"].(map[string]any)
		for mt, media := range content {
			mm, _ := media.(map[string]any)
			if _, ok := mm["schema"]; !ok || !oaIsJSON(mt) {
				continue
			}
			sptr := rptr + "/content/" + oaPtrEscape(mt) + "/schema"
			if _, done := o.schemas[sptr]; done {
				continue
			}
			sch, err := c.Compile(openAPIURL + "#" + sptr)
			if err != nil {
				return fmt.Errorf("compile %s: %w", sptr, err)
			}
			o.schemas[sptr] = sch
		}
	}
	return nil
}

func oaIsJSON(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }

// oaRoutes is the route table plus the operational endpoints New adds.
func oaRoutes() []httpapi.Route {
	routes := httpapi.New(httpapi.Deps{}).Routes()
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		routes = append(routes, httpapi.Route{Method: "GET", Path: p, Public: true})
	}
	return routes
}

func oaIsParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }

// find returns the oaOperation for a concrete method and path. Templates are
// matched segment by segment; of several matches the one with a literal
// segment where the others have a parameter wins, as in http.ServeMux
// (/api/people/export.xlsx beats /api/people/{id}).
func (o *oaDoc) find(method, path string) *oaOperation {
	m := strings.ToLower(method)
	segs := strings.Split(path, "/")
	var best *oaOperation
	for _, op := range o.ops {
		if op.method != m || len(op.segs) != len(segs) {
			continue
		}
		match := true
		for i, s := range op.segs {
			if oaIsParam(s) {
				if segs[i] == "" {
					match = false
				}
			} else if s != segs[i] {
				match = false
			}
			if !match {
				break
			}
		}
		if match && (best == nil || oaMoreSpecific(op.segs, best.segs)) {
			best = op
		}
	}
	return best
}

func oaMoreSpecific(a, b []string) bool {
	for i := range a {
		if pa, pb := oaIsParam(a[i]), oaIsParam(b[i]); pa != pb {
			return !pa
		}
	}
	return false
}

func oaClip(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// checkResponse validates a response against the OpenAPI document.
func checkResponse(t testing.TB, method, path string, status int, header http.Header, body []byte) {
	t.Helper()
	o, err := loadOpenAPI()
	if err != nil {
		t.Errorf("openapi: %v", err)
		return
	}
	what := fmt.Sprintf("%s %s → %d", method, path, status)
	head := false
	op := o.find(method, path)
	if op == nil && method == http.MethodHead {
		// ServeMux answers HEAD with the GET handler, without the body.
		op, head = o.find(http.MethodGet, path), true
	}
	var responses map[string]any
	var rptr string
	if op != nil {
		responses, _ = op.obj["responses"].(map[string]any)
		rptr = op.ptr + "/responses"
	} else {
		req := &http.Request{Method: method, URL: &url.URL{Path: path}, Host: "cmhub.test"}
		if _, pattern := o.routes.Handler(req); pattern != "" {
			t.Errorf("openapi: %s: route %q is not in openapi.json", what, pattern)
			return
		}
		un, _ := o.doc["x-unmatched"].(map[string]any)
		prefix, _ := un["prefix"].(string)
		if un == nil || prefix == "" || !strings.HasPrefix(path, prefix) {
			t.Errorf("openapi: %s: path and method are not documented", what)
			return
		}
		// No route at all: the catch-all answer documented as x-unmatched.
		responses, _ = un["responses"].(map[string]any)
		rptr = "/x-unmatched/responses"
	}
	code := strconv.Itoa(status)
	r, ok := responses[code]
	if !ok {
		var documented []string
		for k := range responses {
			documented = append(documented, k)
		}
		sort.Strings(documented)
		t.Errorf("openapi: %s: status %d is not documented (documented: %s); body: %s", what, status, strings.Join(documented, ", "), oaClip(body, 500))
		return
	}
	resp, rptr, err := o.deref(r, rptr+"/"+code)
	if err != nil {
		t.Errorf("openapi: %s: %v", what, err)
		return
	}
	if op != nil && !head {
		oaSeen.Store(strings.ToUpper(op.method)+" "+op.path+" "+code, true)
	}
	if hs, ok := resp["headers"].(map[string]any); ok {
		for name, h := range hs {
			if hm, _ := h.(map[string]any); hm != nil && hm["required"] == true && header.Get(name) == "" {
				t.Errorf("openapi: %s: documented header %s is missing", what, name)
			}
		}
	}
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) != 0 {
			t.Errorf("openapi: %s: documented without content but has a body: %s", what, oaClip(body, 500))
		}
		return
	}
	ct := header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Errorf("openapi: %s: Content-Type %q: %v", what, ct, err)
		return
	}
	if _, ok := content[mt]; !ok {
		var documented []string
		for k := range content {
			documented = append(documented, k)
		}
		sort.Strings(documented)
		t.Errorf("openapi: %s: Content-Type %q is not documented (documented: %s)", what, ct, strings.Join(documented, ", "))
		return
	}
	if !oaIsJSON(mt) || head {
		return
	}
	sptr := rptr + "/content/" + oaPtrEscape(mt) + "/schema"
	sch := o.schemas[sptr]
	if sch == nil {
		t.Errorf("openapi: %s: no schema at %s", what, sptr)
		return
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("openapi: %s: body is not JSON: %v: %s", what, err, oaClip(body, 500))
		return
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("openapi: %s: body does not match %s:\n%v\nbody: %s", what, sptr, err, oaClip(body, 2000))
	}
}

// TestOpenAPICoversEveryRoute compares the route table with the document,
// both ways, including who may call each route.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	o, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]httpapi.Route{}
	for _, r := range oaRoutes() {
		k := r.Method + " " + r.Path
		if _, dup := routes[k]; dup {
			t.Errorf("route %s is listed twice", k)
		}
		routes[k] = r
	}
	ops := map[string]*oaOperation{}
	for _, op := range o.ops {
		ops[strings.ToUpper(op.method)+" "+op.path] = op
	}
	for k, r := range routes {
		op, ok := ops[k]
		if !ok {
			t.Errorf("route %s is missing from openapi.json", k)
			continue
		}
		sec, explicit := op.obj["security"].([]any)
		if public := explicit && len(sec) == 0; public != r.Public {
			t.Errorf("%s: route public=%v, but openapi.json security says public=%v", k, r.Public, public)
		}
		perm, _ := op.obj["x-permission"].(string)
		if perm != string(r.Permission) {
			t.Errorf("%s: route needs permission %q, openapi.json x-permission says %q", k, r.Permission, perm)
		}
	}
	for k := range ops {
		if _, ok := routes[k]; !ok {
			t.Errorf("openapi.json documents %s, which is not a route", k)
		}
	}
}

func oaHasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func oaHasLatin(s string) bool {
	n := 0
	for _, r := range s {
		if r < unicode.MaxASCII && unicode.IsLetter(r) {
			if n++; n >= 3 {
				return true
			}
		} else {
			n = 0
		}
	}
	return false
}

// oaWalk calls fn for every value in v with its JSON pointer.
func oaWalk(v any, ptr string, fn func(v any, ptr string)) {
	fn(v, ptr)
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			oaWalk(e, ptr+"/"+oaPtrEscape(k), fn)
		}
	case []any:
		for i, e := range x {
			oaWalk(e, ptr+"/"+strconv.Itoa(i), fn)
		}
	}
}

// TestOpenAPIDocumentIsValid checks the document itself: version, info,
// references, schemas, operations and the error conventions.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	raw, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(raw) {
		t.Fatal("openapi.json is not valid JSON")
	}
	o, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	doc := o.doc
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] != "cmhub API" || info["version"] != "0.1.0" {
		t.Errorf("info title/version = %v/%v", info["title"], info["version"])
	}
	if desc, _ := info["description"].(string); !oaHasHan(desc) || !oaHasLatin(desc) {
		t.Errorf("info.description must be in Chinese and English: %q", desc)
	}

	// Every $ref resolves.
	refs := 0
	oaWalk(doc, "", func(v any, ptr string) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return
		}
		refs++
		p, err := oaRefPointer(ref)
		if err != nil {
			t.Errorf("%s: %v", ptr, err)
			return
		}
		if _, ok := oaLookup(doc, p); !ok {
			t.Errorf("%s: $ref %q does not resolve", ptr, ref)
		}
	})
	if refs == 0 {
		t.Error("no $ref at all: schemas are expected to be shared via components")
	}

	// Security schemes: the session cookie and bearer tokens.
	comps, _ := doc["components"].(map[string]any)
	ss, _ := comps["securitySchemes"].(map[string]any)
	cookie, _ := ss["cookieAuth"].(map[string]any)
	bearer, _ := ss["bearerAuth"].(map[string]any)
	if cookie["type"] != "apiKey" || cookie["in"] != "cookie" || cookie["name"] != "cmhub_session" {
		t.Errorf("securitySchemes.cookieAuth = %v", cookie)
	}
	if bearer["type"] != "http" || bearer["scheme"] != "bearer" {
		t.Errorf("securitySchemes.bearerAuth = %v", bearer)
	}
	if sec, _ := doc["security"].([]any); len(sec) == 0 {
		t.Error("no top-level security requirement")
	}

	// Every schema compiles, wherever it is.
	c, err := oaCompiler(doc)
	if err != nil {
		t.Fatal(err)
	}
	compiled := 0
	oaWalk(doc, "", func(v any, ptr string) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		var locs []string
		if strings.HasPrefix(ptr, "/components/schemas/") && strings.Count(ptr, "/") == 3 {
			locs = append(locs, ptr)
		}
		if _, ok := m["schema"]; ok && !strings.Contains(ptr, "/properties/") {
			locs = append(locs, ptr+"/schema") // parameters, headers, media types
		}
		for _, l := range locs {
			if _, err := c.Compile(openAPIURL + "#" + l); err != nil {
				t.Errorf("schema %s does not compile: %v", l, err)
			}
			compiled++
		}
	})
	t.Logf("%d operations, %d component schemas, %d schemas compiled, %d $refs", len(o.ops), len(comps["schemas"].(map[string]any)), compiled, refs)

	// Object schemas say what they hold and refuse anything else.
	schemas, _ := comps["schemas"].(map[string]any)
	for name, s := range schemas {
		sm, _ := s.(map[string]any)
		props, hasProps := sm["properties"].(map[string]any)
		if !hasProps {
			continue
		}
		if _, ok := sm["additionalProperties"]; !ok {
			t.Errorf("schema %s has properties but no additionalProperties", name)
		}
		req, _ := sm["required"].([]any)
		for _, r := range req {
			if _, ok := props[r.(string)]; !ok {
				t.Errorf("schema %s requires %v, which is not a property", name, r)
			}
		}
	}

	// Operations.
	ids := map[string]string{}
	for _, op := range o.ops {
		where := strings.ToUpper(op.method) + " " + op.path
		id, _ := op.obj["operationId"].(string)
		if id == "" {
			t.Errorf("%s: no operationId", where)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("%s: operationId %s also used by %s", where, id, prev)
		}
		ids[id] = where
		if s, _ := op.obj["summary"].(string); !oaHasHan(s) || !oaHasLatin(s) {
			t.Errorf("%s: summary must be in Chinese and English: %q", where, s)
		}
		// Path parameters match the template exactly.
		want := map[string]bool{}
		for _, s := range op.segs {
			if oaIsParam(s) {
				want[s[1:len(s)-1]] = true
			}
		}
		got := map[string]bool{}
		params, _ := op.obj["parameters"].([]any)
		for i, p := range params {
			pm, _, err := o.deref(p, fmt.Sprintf("%s/parameters/%d", op.ptr, i))
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			if pm["in"] == "path" {
				name, _ := pm["name"].(string)
				got[name] = true
				if pm["required"] != true {
					t.Errorf("%s: path parameter %s must be required", where, name)
				}
			} else if pm["in"] != "query" && pm["in"] != "header" && pm["in"] != "cookie" {
				t.Errorf("%s: parameter %v has in=%v", where, pm["name"], pm["in"])
			}
		}
		for n := range want {
			if !got[n] {
				t.Errorf("%s: path parameter {%s} is not declared", where, n)
			}
		}
		for n := range got {
			if !want[n] {
				t.Errorf("%s: declares path parameter %s that the path does not have", where, n)
			}
		}
		// Responses: real statuses, at least one success, errors share one schema.
		responses, _ := op.obj["responses"].(map[string]any)
		success := false
		for code, r := range responses {
			n, err := strconv.Atoi(code)
			if err != nil || n < 100 || n > 599 {
				t.Errorf("%s: response key %q is not a status code", where, code)
				continue
			}
			if n < 300 {
				success = true
			}
			resp, _, err := o.deref(r, op.ptr+"/responses/"+code)
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			if d, _ := resp["description"].(string); d == "" {
				t.Errorf("%s %s: no description", where, code)
			}
			if n >= 400 && n != 422 && n != 503 {
				content, _ := resp["content"].(map[string]any)
				media, _ := content["application/json"].(map[string]any)
				schema, _ := media["schema"].(map[string]any)
				if len(content) != 1 || schema["$ref"] != "#/components/schemas/Error" {
					t.Errorf("%s %s: error responses must be application/json with $ref Error", where, code)
				}
			}
		}
		if !success {
			t.Errorf("%s: no success response", where)
		}
		sec, explicit := op.obj["security"].([]any)
		public := explicit && len(sec) == 0
		if _, ok := responses["401"]; !public && !ok {
			t.Errorf("%s: needs sign-in but does not document 401", where)
		}
		if strings.HasPrefix(op.path, "/api/") && op.path != "/api/openapi.json" {
			if _, ok := responses["500"]; !ok {
				t.Errorf("%s: does not document 500", where)
			}
		}
		if op.method != "get" && op.method != "head" {
			if _, ok := responses["403"]; !ok {
				t.Errorf("%s: a state-changing request can be refused as cross-origin but 403 is not documented", where)
			}
		}
		if rb, ok := op.obj["requestBody"]; ok {
			body, _, err := o.deref(rb, op.ptr+"/requestBody")
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			content, _ := body["content"].(map[string]any)
			if media, ok := content["application/json"].(map[string]any); ok {
				for _, code := range []string{"400", "413", "415"} {
					if _, ok := responses[code]; !ok {
						t.Errorf("%s: takes a JSON body but does not document %s", where, code)
					}
				}
				if s, _, err := o.deref(media["schema"], ""); err != nil || s["additionalProperties"] != false {
					t.Errorf("%s: the request body schema must refuse unknown fields (additionalProperties: false)", where)
				}
			}
		}
	}
	// The catch-all for everything else under /api/.
	un, _ := doc["x-unmatched"].(map[string]any)
	if rs, _ := un["responses"].(map[string]any); rs["404"] == nil {
		t.Error("x-unmatched does not document 404")
	}
}

// TestServedDocumentMatchesFile: the API serves exactly the embedded file.
func TestServedDocumentMatchesFile(t *testing.T) {
	raw, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, store.SQLite)
	st, body := h.anon().do(t, "GET", "/api/openapi.json", nil)
	if st != http.StatusOK {
		t.Fatalf("GET /api/openapi.json: %d %s", st, oaClip(body, 300))
	}
	if !bytes.Equal(body, raw) {
		t.Errorf("served document (%d bytes) differs from %s (%d bytes)", len(body), openAPIFile, len(raw))
	}
}

// oaRecorder is a testing.TB that keeps errors instead of failing.
type oaRecorder struct {
	testing.TB
	errs []string
}

func (r *oaRecorder) Helper() {}

func (r *oaRecorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestCheckResponseCatchesMistakes makes sure the checker itself fails
// what it should: leaks, wrong types, undocumented statuses, paths and
// media types.
func TestCheckResponseCatchesMistakes(t *testing.T) {
	jsonHeader := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	person := `{"id":1,"empNo":"E1","name":"n","gender":"","idNumber":"","phone":"","employmentType":"","hiredOn":"2026-01-05",` +
		`"probationEnd":null,"contractEnd":null,"unitId":2,"unitName":"u","unitPath":"a / u","position":"sales_cm","grade":"","status":"active",` +
		`"validFrom":"2026-01-05","history":[{"id":3,"validFrom":"2026-01-05","validTo":null,"unitId":2,"unitName":"u","position":"sales_cm","grade":"","status":"active","reason":""}]}`
	leak := strings.Replace(person, `"id":1,`, `"id":1,"passwordHash":"x",`, 1)
	unitTarget := `{"id":1,"period":"2026-11","metric":"new_accounts","unitId":2,"unit":"count","value":300,"amount":"300","note":"","version":1,"setBy":"a","setById":1,"setAt":"2026-11-22T09:00:00Z"}`
	personTarget := strings.Replace(unitTarget, `"unitId":2,`, `"personId":5,"personUnitId":2,`, 1)
	preview := strings.NewReplacer(`"id":1,`, `"id":0,`, `"version":1,`, `"version":0,`, `"2026-11-22T09:00:00Z"`, `"0001-01-01T00:00:00Z"`).Replace(personTarget)
	check := `"unitId":2,"name":"b","target":` + unitTarget + `,"sum":300,"sumAmount":"300","remaining":0,"remainingAmount":"0","status":"complete"`
	decomposed := func(child string, dry bool) string {
		return fmt.Sprintf(`{%s,"children":[%s],"written":1,"dryRun":%v}`, check, child, dry)
	}
	treeOf := func(root string) string {
		return `{"period":"2026-11","asOf":"2026-11-01","metric":"new_accounts","metricName":"m","metricNameEn":"m","unit":"count","scale":1,"mode":"at_most","root":` + root + `}`
	}
	personNode := `{"type":"person","personId":5,"empNo":"E5","name":"p","target":` + personTarget + `}`
	badDate := strings.Replace(person, `"hiredOn":"2026-01-05"`, `"hiredOn":"2026-01-05T00:00:00Z"`, 1)
	cases := []struct {
		name, method, path string
		status             int
		header             http.Header
		body               string
		fails              bool
	}{
		{"valid person", "GET", "/api/people/1", 200, jsonHeader, person, false},
		{"leaked field", "GET", "/api/people/1", 200, jsonHeader, leak, true},
		{"date with time", "GET", "/api/people/1", 200, jsonHeader, badDate, true},
		{"missing field", "GET", "/api/people/1", 200, jsonHeader, strings.Replace(person, `"unitPath":"a / u",`, "", 1), true},
		{"valid error", "GET", "/api/people/1", 404, jsonHeader, `{"code":"not_found","message":"m"}`, false},
		{"error with extra field", "GET", "/api/people/1", 404, jsonHeader, `{"code":"not_found","message":"m","stack":"x"}`, true},
		{"undocumented status", "GET", "/api/people/1", 418, jsonHeader, `{"code":"teapot","message":"m"}`, true},
		{"undocumented path outside /api", "GET", "/nowhere", 404, jsonHeader, `{"code":"not_found","message":"m"}`, true},
		{"unknown /api path", "GET", "/api/nowhere", 404, jsonHeader, `{"code":"not_found","message":"m"}`, false},
		{"unknown /api path, wrong status", "GET", "/api/nowhere", 200, jsonHeader, `{}`, true},
		{"unrouted method on a real path", "DELETE", "/api/people/1", 404, jsonHeader, `{"code":"not_found","message":"m"}`, false},
		{"literal beats parameter", "GET", "/api/people/export.xlsx", 200,
			http.Header{"Content-Type": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}, "Content-Disposition": {"attachment"}}, "PK", false},
		{"wrong media type", "GET", "/api/people/export.xlsx", 200,
			http.Header{"Content-Type": {"text/html"}, "Content-Disposition": {"attachment"}}, "<html>", true},
		{"csv template", "GET", "/api/import/people/template", 200,
			http.Header{"Content-Type": {"text/csv; charset=utf-8"}, "Content-Disposition": {"attachment"}}, "a,b\n", false},
		{"204 with a body", "DELETE", "/api/me/tokens/1", 204, http.Header{}, "x", true},
		{"204", "DELETE", "/api/me/tokens/1", 204, http.Header{}, "", false},
		{"login without cookie", "POST", "/api/auth/login", 200, jsonHeader,
			`{"user":{"id":1,"username":"a","displayName":"a","personId":0},"permissions":[],"menus":[],"scopes":[]}`, true},
		{"unknown permission", "GET", "/api/me", 200, jsonHeader,
			`{"user":{"id":1,"username":"a","displayName":"a","personId":0},"permissions":["root"],"menus":[],"scopes":[]}`, true},
		{"metrics", "GET", "/metrics", 200, http.Header{"Content-Type": {"text/plain; version=0.0.4; charset=utf-8"}}, "# HELP\n", false},
		{"readyz down", "GET", "/readyz", 503, jsonHeader, `{"status":"unavailable"}`, false},
		{"visible duplicate", "POST", "/api/customers/duplicates", 200, jsonHeader,
			`{"items":[{"field":"idNumber","customerId":5,"visible":true,"branchName":"b","owners":[{"empNo":"E1","name":"n","unitName":"u","role":"primary"}]}]}`, false},
		{"hidden duplicate reveals its id", "POST", "/api/customers/duplicates", 200, jsonHeader,
			`{"items":[{"field":"idNumber","customerId":5,"visible":false,"branchName":"b","owners":[]}]}`, true},
		{"hidden duplicate reveals a name", "POST", "/api/customers/duplicates", 200, jsonHeader,
			`{"items":[{"field":"phone","visible":false,"branchName":"b","owners":[],"name":"x"}]}`, true},
		{"formula metric with an aggregation", "GET", "/api/metrics/m", 200, jsonHeader,
			`{"id":1,"key":"m","nameZh":"m","nameEn":"","unit":"yuan","aggregation":"sum","sourceKind":"formula","formula":"a-b","description":"","active":true,"version":1,"updatedAt":"2026-11-22T09:00:00Z"}`, true},
		{"unknown conflict code is still an Error", "POST", "/api/metrics/m/deactivate", 409, jsonHeader, `{"code":"in_use","message":"m","fields":{"active":"m"}}`, false},
		{"target menu", "GET", "/api/me", 200, jsonHeader,
			`{"user":{"id":1,"username":"a","displayName":"a","personId":0},"permissions":["target:read"],"menus":["targets"],"scopes":[]}`, false},
		{"personal target", "PUT", "/api/targets", 200, jsonHeader, `{"target":` + personTarget + `,"parent":{` + check + `}}`, false},
		{"target of a unit and a person", "PUT", "/api/targets", 200, jsonHeader,
			`{"target":` + strings.Replace(personTarget, `"personId":5,`, `"unitId":3,"personId":5,`, 1) + `,"parent":null}`, true},
		{"personal target without its unit", "PUT", "/api/targets", 200, jsonHeader,
			`{"target":` + strings.Replace(personTarget, `"personUnitId":2,`, "", 1) + `,"parent":null}`, true},
		{"remaining without a parent target", "PUT", "/api/targets", 200, jsonHeader,
			`{"target":` + unitTarget + `,"parent":{` + strings.Replace(check, `"target":`+unitTarget, `"target":null`, 1) + `}}`, true},
		{"dry run preview", "POST", "/api/targets/decompose", 200, jsonHeader, decomposed(preview, true), false},
		{"unsaved child outside a dry run", "POST", "/api/targets/decompose", 200, jsonHeader, decomposed(preview, false), true},
		{"tree with a person", "GET", "/api/targets/tree", 200, jsonHeader,
			treeOf(`{"type":"unit","unitId":2,"unitKind":"branch","code":"XZ","name":"b","target":null,"childrenSum":300,"childrenSumAmount":"300","status":"no_target","children":[` + personNode + `]}`), false},
		{"tree without a root", "GET", "/api/targets/tree", 200, jsonHeader, treeOf("null"), false},
		{"person node with a breakdown", "GET", "/api/targets/tree", 200, jsonHeader,
			treeOf(strings.Replace(personNode, `"name":"p",`, `"name":"p","childrenSum":0,"childrenSumAmount":"0","status":"within",`, 1)), true},
		{"tree sum without status", "GET", "/api/targets/tree", 200, jsonHeader,
			treeOf(`{"type":"unit","unitId":2,"unitKind":"branch","code":"XZ","name":"b","target":null,"childrenSum":300,"childrenSumAmount":"300"}`), true},
		{"default rule with an editor", "GET", "/api/target-rules", 200, jsonHeader,
			`{"items":[{"metric":"new_accounts","mode":"at_most","default":true,"version":0,"updatedBy":"a","updatedAt":"2026-11-22T09:00:00Z"}]}`, true},
		{"stored rule", "PUT", "/api/target-rules/new_accounts", 200, jsonHeader,
			`{"metric":"new_accounts","mode":"exact","default":false,"version":1,"updatedBy":"a","updatedAt":"2026-11-22T09:00:00Z"}`, false},
		{"conflict naming its field", "PUT", "/api/targets", 409, jsonHeader, `{"code":"exceeds_parent","message":"m","fields":{"value":"m"}}`, false},
		{"target deleted with a body", "DELETE", "/api/targets", 204, http.Header{}, "{}", true},
		{"customer export", "GET", "/api/customers/export.xlsx", 200,
			http.Header{"Content-Type": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}}, "PK", true}, // no Content-Disposition
	}
	for _, c := range cases {
		r := &oaRecorder{TB: t}
		checkResponse(r, c.method, c.path, c.status, c.header, []byte(c.body))
		if failed := len(r.errs) > 0; failed != c.fails {
			t.Errorf("%s: checkResponse failed=%v, want %v; errors: %v", c.name, failed, c.fails, r.errs)
		}
	}
	// An undocumented route (one in the table but not in the document) is
	// reported as such: simulate by looking up a real route's pattern.
	o, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	req := &http.Request{Method: "GET", URL: &url.URL{Path: "/api/people/7"}, Host: "cmhub.test"}
	if _, pattern := o.routes.Handler(req); pattern != "GET /api/people/{id}" {
		t.Errorf("route oaLookup gave pattern %q", pattern)
	}
	if !slices.ContainsFunc(o.ops, func(op *oaOperation) bool { return op.path == "/api/people/export.xlsx" }) {
		t.Error("export.xlsx not documented")
	}
}

// oaCall sends a request with optional extra headers through client c (so
// the response is checked against the document) and decodes JSON answers
// into out when out is not nil.
func oaCall(t *testing.T, c *client, method, path string, body any, hdr map[string]string, want int, out any) []byte {
	t.Helper()
	var rd io.Reader
	if body != nil {
		if raw, ok := body.([]byte); ok {
			rd = bytes.NewReader(raw)
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, c.h.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	st, b := c.send(t, req)
	if st != want {
		t.Errorf("%s %s: %d, want %d: %s", method, path, st, want, oaClip(b, 500))
	}
	if out != nil && st == want {
		if err := json.Unmarshal(b, out); err != nil {
			t.Errorf("%s %s: decode: %v", method, path, err)
		}
	}
	return b
}

// TestOpenAPIEveryOperationAgainstRealResponses calls every documented
// operation on a real server of every engine, so each success answer (and
// the common error answers) is validated against the document at least
// once, whatever other tests cover.
func TestOpenAPIEveryOperationAgainstRealResponses(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			h := newHarness(t, e)
			oaExerciseCustomers(t, h)
			oaExerciseMetrics(t, h)
			oaExerciseTargets(t, h)
			oaExerciseRecords(t, h)
			oaExerciseStats(t, h)
			oaExerciseAssess(t, h)
			oaExerciseAttendance(t, h)
			oaExercisePay(t, h)
			oaExercise(t, h)
		})
	}
	o, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range o.ops {
		key := strings.ToUpper(op.method) + " " + op.path
		ok := false
		for code := range op.obj["responses"].(map[string]any) {
			if _, seen := oaSeen.Load(key + " " + code); seen && code < "300" {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s: no success answer was checked against the document", key)
		}
	}
}

func oaExercise(t *testing.T, h *harness) {
	anon := h.anon()
	oaCall(t, anon, "GET", "/api/openapi.json", nil, nil, 200, nil)
	oaCall(t, anon, "GET", "/healthz", nil, nil, 200, nil)
	oaCall(t, anon, "GET", "/readyz", nil, nil, 200, nil)
	oaCall(t, anon, "GET", "/metrics", nil, nil, 200, nil)
	oaCall(t, anon, "GET", "/api/me", nil, nil, 401, nil)
	oaCall(t, anon, "GET", "/api/nowhere", nil, nil, 404, nil)
	oaCall(t, anon, "POST", "/api/auth/login", map[string]string{"username": "admin", "password": "wrong-password"}, nil, 401, nil)
	oaCall(t, anon, "POST", "/api/auth/login", []byte(`username=admin`), map[string]string{"Content-Type": "text/plain"}, 415, nil)

	c := h.login(t, "admin")
	oaCall(t, c, "GET", "/api/me", nil, nil, 200, nil)
	oaCall(t, c, "GET", "/api/dicts", nil, nil, 200, nil)

	// API tokens, and signing in with one.
	var tok struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	oaCall(t, c, "POST", "/api/me/tokens", map[string]any{"name": "openapi", "expiresInDays": 7}, nil, 201, &tok)
	bearer := map[string]string{"Authorization": "Bearer " + tok.Token}
	oaCall(t, h.anon(), "GET", "/api/me", nil, bearer, 200, nil)
	oaCall(t, c, "GET", "/api/me/tokens", nil, nil, 200, nil)
	oaCall(t, c, "DELETE", fmt.Sprintf("/api/me/tokens/%d", tok.ID), nil, nil, 204, nil)
	oaCall(t, c, "DELETE", fmt.Sprintf("/api/me/tokens/%d", tok.ID), nil, nil, 404, nil)
	oaCall(t, h.anon(), "GET", "/api/me", nil, bearer, 401, nil)

	// Organisation: the root, a channel (with stationed managers), a new team.
	var units struct {
		Items []struct {
			ID       int64  `json:"id"`
			ParentID int64  `json:"parentId"`
			Kind     string `json:"kind"`
			Code     string `json:"code"`
		} `json:"items"`
	}
	oaCall(t, c, "GET", "/api/org/units", nil, nil, 200, &units)
	oaCall(t, c, "GET", "/api/org/units?asOf=2020-01-01", nil, nil, 200, nil)
	oaCall(t, c, "GET", "/api/org/units?asOf=2026-02-30", nil, nil, 400, nil)
	byKind, codeOf := map[string][]int64{}, map[int64]string{}
	for _, u := range units.Items {
		byKind[u.Kind] = append(byKind[u.Kind], u.ID)
		codeOf[u.ID] = u.Code
	}
	if len(byKind["institution"]) == 0 || len(byKind["channel"]) == 0 || len(byKind["region"]) < 2 || len(byKind["team"]) == 0 {
		t.Fatalf("demo tree lacks an institution, a channel, two regions or a team: %v", byKind)
	}
	oaCall(t, c, "GET", fmt.Sprintf("/api/org/units/%d", byKind["institution"][0]), nil, nil, 200, nil)
	oaCall(t, c, "GET", fmt.Sprintf("/api/org/units/%d", byKind["channel"][0]), nil, nil, 200, nil)
	oaCall(t, c, "GET", "/api/org/units/999999", nil, nil, 404, nil)
	var unit struct {
		ID int64 `json:"id"`
	}
	oaCall(t, c, "POST", "/api/org/units", map[string]any{"parentId": byKind["region"][0], "kind": "team", "code": "OA-T1", "name": "契约团队", "nameEn": "Contract team"}, nil, 201, &unit)
	oaCall(t, c, "POST", "/api/org/units", map[string]any{"parentId": byKind["region"][0], "kind": "team", "code": "OA-T1", "name": "重复"}, nil, 409, nil)
	oaCall(t, c, "PATCH", fmt.Sprintf("/api/org/units/%d", unit.ID), map[string]any{"name": "契约团队二"}, nil, 200, nil)
	oaCall(t, c, "POST", fmt.Sprintf("/api/org/units/%d/move", unit.ID),
		map[string]any{"parentId": byKind["region"][1], "effectiveFrom": "2026-11-23", "reason": "调整 reorganisation"}, nil, 200, nil)

	// People.
	var list struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	oaCall(t, c, "GET", "/api/people?pageSize=5&sort=-name", nil, nil, 200, &list)
	oaCall(t, c, "GET", "/api/people?asOf=2026-01-01&status=active", nil, nil, 200, nil)
	oaCall(t, c, "GET", "/api/people/export.xlsx?sort=empNo", nil, nil, 200, nil)
	oaCall(t, c, "GET", "/api/people/export.xlsx?sort=salary", nil, nil, 400, nil)
	if len(list.Items) == 0 {
		t.Fatal("no people")
	}
	oaCall(t, c, "GET", fmt.Sprintf("/api/people/%d", list.Items[0].ID), nil, nil, 200, nil)
	var person struct {
		ID int64 `json:"id"`
	}
	oaCall(t, c, "POST", "/api/people", map[string]any{"empNo": "OA0001", "name": "契约", "gender": "female", "phone": "13900000009",
		"employmentType": "labour_contract", "hiredOn": "2026-11-02", "probationEnd": "2027-02-01", "unitId": byKind["team"][0],
		"position": "sales_cm", "status": "probation"}, nil, 201, &person)
	oaCall(t, c, "PATCH", fmt.Sprintf("/api/people/%d", person.ID), map[string]any{"contractEnd": "2028-11-01"}, nil, 200, nil)
	oaCall(t, c, "POST", fmt.Sprintf("/api/org/units/%d/stations", byKind["channel"][0]), map[string]any{"personId": person.ID, "effectiveFrom": "2026-11-21"}, nil, 201, nil)
	oaCall(t, c, "POST", fmt.Sprintf("/api/org/units/%d/stations", byKind["team"][0]), map[string]any{"personId": person.ID, "effectiveFrom": "2026-11-21"}, nil, 400, nil)
	oaCall(t, c, "POST", fmt.Sprintf("/api/people/%d/moves", person.ID),
		map[string]any{"effectiveFrom": "2026-11-20", "status": "active", "reason": "转正 confirmed"}, nil, 200, nil)
	oaCall(t, c, "POST", fmt.Sprintf("/api/people/%d/moves", person.ID), map[string]any{"effectiveFrom": "2026-11-21", "reason": "x", "bonus": 1}, nil, 400, nil)

	// Import: templates, a good file, a bad file and its report.
	for _, kind := range []string{"people", "units"} {
		oaCall(t, c, "GET", "/api/import/"+kind+"/template", nil, nil, 200, nil)
		oaCall(t, c, "GET", "/api/import/"+kind+"/template?format=csv", nil, nil, 200, nil)
	}
	oaCall(t, c, "GET", "/api/import/salaries/template", nil, nil, 404, nil)
	oaCall(t, c, "GET", "/api/import/units/template?format=pdf", nil, nil, 400, nil)
	tpl := oaCall(t, c, "GET", "/api/import/units/template?format=csv", nil, nil, 200, nil)
	header, _, _ := strings.Cut(strings.TrimPrefix(string(tpl), "\ufeff"), "\r\n")
	st, b := c.upload(t, "/api/import/units", "units.csv", []byte(header+"\r\nOA-T2,导入团队,Imported team,team,"+codeOf[byKind["region"][0]]+",\r\n"))
	if st != 200 {
		t.Errorf("unit import: %d %s", st, b)
	}
	st, b = c.upload(t, "/api/import/units", "units.csv", []byte(header+"\r\nOA-T3,坏团队,,planet,NOPE,2026-02-30\r\n"))
	var fail struct {
		ReportID string `json:"reportId"`
	}
	if st != 422 || json.Unmarshal(b, &fail) != nil || fail.ReportID == "" {
		t.Errorf("bad unit import: %d %s", st, b)
	} else {
		oaCall(t, c, "GET", "/api/import-reports/"+fail.ReportID, nil, nil, 200, nil)
	}
	if st, b := c.upload(t, "/api/import/units", "units.csv", []byte(header+"\r\n")); st != 422 {
		t.Errorf("empty import: %d %s", st, b)
	}
	oaCall(t, c, "GET", "/api/import-reports/0123456789abcdef0123456789abcdef", nil, nil, 404, nil)

	// Periods.
	oaCall(t, c, "GET", "/api/periods?year=2026", nil, nil, 200, nil)
	oaCall(t, c, "GET", "/api/periods?kind=quarter", nil, nil, 200, nil)
	oaCall(t, c, "GET", "/api/periods?kind=week", nil, nil, 400, nil)
	oaCall(t, c, "POST", "/api/periods/2025-01/close", nil, nil, 200, nil)
	oaCall(t, c, "POST", "/api/periods/2025-01/close", nil, nil, 409, nil)
	oaCall(t, c, "GET", "/api/periods?year=2025&kind=month", nil, nil, 200, nil)
	oaCall(t, c, "POST", "/api/periods/2025-01/reopen", map[string]any{"reason": "更正 correction"}, nil, 200, nil)
	oaCall(t, c, "POST", "/api/periods/2025-13/close", nil, nil, 400, nil)

	// Audit: entries with before/after of every shape.
	oaCall(t, c, "GET", "/api/audit?pageSize=200", nil, nil, 200, nil)
	oaCall(t, c, "GET", "/api/audit?objectType=person&from=2026-01-01&to=2026-12-31", nil, nil, 200, nil)

	// Users and roles.
	oaCall(t, c, "GET", "/api/roles", nil, nil, 200, nil)
	oaCall(t, c, "GET", "/api/users?pageSize=500", nil, nil, 200, nil)
	var user struct {
		ID int64 `json:"id"`
	}
	oaCall(t, c, "POST", "/api/users", map[string]any{"username": "oa.user", "displayName": "契约", "password": "Contract-Passw0rd!",
		"personId": person.ID, "roles": []string{"sales_cm"}}, nil, 201, &user)
	oaCall(t, c, "POST", "/api/users", map[string]any{"username": "oa.user", "password": "Contract-Passw0rd!", "roles": []string{"sales_cm"}}, nil, 409, nil)
	oaCall(t, c, "PATCH", fmt.Sprintf("/api/users/%d", user.ID), map[string]any{"disabled": true}, nil, 200, nil)
	oaCall(t, c, "PATCH", "/api/users/999999", map[string]any{"disabled": true}, nil, 404, nil)
	cm := h.login(t, "cm02")
	oaCall(t, cm, "GET", "/api/users", nil, nil, 403, nil)
	oaCall(t, cm, "GET", "/api/people/export.xlsx", nil, nil, 403, nil)

	// Password and signing out.
	oaCall(t, c, "PUT", "/api/me/password", map[string]any{"oldPassword": "wrong", "newPassword": "Another-Passw0rd!"}, nil, 400, nil)
	oaCall(t, cm, "PUT", "/api/me/password", map[string]any{"oldPassword": demoPassword, "newPassword": "Another-Passw0rd!"}, nil, 204, nil)
	oaCall(t, c, "POST", "/api/auth/logout", nil, nil, 204, nil)
	oaCall(t, c, "POST", "/api/auth/logout", nil, nil, 401, nil)
	c = h.login(t, "admin")
	oaCall(t, c, "POST", "/api/auth/logout-all", nil, nil, 204, nil)
	oaCall(t, c, "GET", "/api/me", nil, nil, 401, nil)
}

// TestOpenAPIPermissionEnumMatchesCatalogue: the Permission enum of the
// document lists exactly the permissions of access.AllPermissions.
func TestOpenAPIPermissionEnumMatchesCatalogue(t *testing.T) {
	o, err := loadOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	v, ok := oaLookup(o.doc, "/components/schemas/Permission/enum")
	enum, _ := v.([]any)
	if !ok || len(enum) == 0 {
		t.Fatal("components.schemas.Permission has no enum")
	}
	documented := map[string]bool{}
	for _, e := range enum {
		s, _ := e.(string)
		if documented[s] {
			t.Errorf("Permission enum lists %q twice", s)
		}
		documented[s] = true
	}
	catalogue := map[string]bool{}
	for _, p := range access.AllPermissions() {
		catalogue[string(p)] = true
		if !documented[string(p)] {
			t.Errorf("permission %q of access.AllPermissions() is missing from the Permission enum", p)
		}
	}
	for s := range documented {
		if !catalogue[s] {
			t.Errorf("the Permission enum lists %q, which access.AllPermissions() does not have", s)
		}
	}
}

// oaResidentID makes a valid resident ID number from its first 17 digits.
func oaResidentID(first17 string) string {
	return first17 + string(customer.ResidentIDCheckChar(first17))
}

// oaUSCC makes a valid unified social credit code from its first 17 characters.
func oaUSCC(first17 string) string { return first17 + string(customer.USCCCheckChar(first17)) }

// oaCustomerRow writes one CSV data row for the customer import template
// whose header line is header, taking values by column key.
func oaCustomerRow(t *testing.T, header string, values map[string]string) string {
	t.Helper()
	heads, err := csv.NewReader(strings.NewReader(header)).Read()
	if err != nil {
		t.Fatalf("template header %q: %v", header, err)
	}
	keyOf := map[string]string{}
	for _, c := range customer.ImportColumns() {
		keyOf[c.Header] = c.Key
	}
	row := make([]string, len(heads))
	for i, hd := range heads {
		k, ok := keyOf[strings.TrimSpace(hd)]
		if !ok {
			t.Fatalf("template column %q is not a customer import column", hd)
		}
		row[i] = values[k]
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	if err := w.Write(row); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return b.String()
}

// oaExerciseCustomers calls every customer operation, and the customer
// import, with real requests: the marketing director (customer:write,
// no customer:pii) creates, edits, attributes and hands over customers;
// the archives clerk (customer:pii) reads them unmasked and archives the
// month's confirmation forms.
func oaExerciseCustomers(t *testing.T, h *harness) {
	mkt := h.login(t, "mktdir")
	arch := h.login(t, "archivist")
	cm := h.login(t, "cm02")
	admin := h.login(t, "admin")

	oaCall(t, mkt, "GET", "/api/customers/options", nil, nil, 200, nil)

	// Three active sales managers in the director's branch.
	var staff struct {
		Items []struct {
			ID    int64  `json:"id"`
			EmpNo string `json:"empNo"`
		} `json:"items"`
	}
	oaCall(t, mkt, "GET", "/api/people?position=sales_cm&status=active&pageSize=100&sort=empNo", nil, nil, 200, &staff)
	if len(staff.Items) < 3 {
		t.Fatalf("demo branch has %d active sales managers, want 3", len(staff.Items))
	}
	m1, m2, m3 := staff.Items[0], staff.Items[1], staff.Items[2]

	type form struct {
		ID       int64 `json:"id"`
		Archived bool  `json:"archived"`
	}
	var detail struct {
		ID       int64  `json:"id"`
		BranchID int64  `json:"branchId"`
		IDNumber string `json:"idNumber"`
		Forms    []form `json:"forms"`
	}
	personNo := oaResidentID("13050319850615901")
	oaCall(t, mkt, "POST", "/api/customers/duplicates", map[string]any{"idNumber": personNo}, nil, 200, nil)
	oaCall(t, mkt, "POST", "/api/customers", map[string]any{"kind": "person", "name": "契约客户", "idType": "resident_id", "idNumber": personNo,
		"phone": "13700000901", "address": "邢台市襄都区契约路 1 号", "openedOn": "2026-11-02", "effectiveFrom": "2026-11-02", "signedOn": "2026-11-02",
		"managers": []map[string]any{{"personId": m1.ID, "role": "primary", "shareBp": 10000}}}, nil, 201, &detail)
	if detail.ID == 0 || detail.BranchID == 0 {
		t.Fatalf("created customer: %+v", detail)
	}
	var company struct {
		ID       int64  `json:"id"`
		IDNumber string `json:"idNumber"`
	}
	companyNo := oaUSCC("91130503MA0DA0001")
	oaCall(t, mkt, "POST", "/api/customers", map[string]any{"kind": "company", "name": "契约有限公司", "idType": "uscc", "idNumber": companyNo,
		"branchId": detail.BranchID, "managers": []map[string]any{{"personId": m2.ID, "role": "primary", "shareBp": 6000},
			{"personId": m3.ID, "role": "assisting", "shareBp": 4000}}}, nil, 201, &company)
	// The same ID number again, a bad one, a wrong media type, too large a body.
	oaCall(t, mkt, "POST", "/api/customers", map[string]any{"kind": "person", "name": "重复", "idType": "resident_id", "idNumber": personNo,
		"managers": []map[string]any{{"personId": m1.ID, "role": "primary", "shareBp": 10000}}}, nil, 400, nil)
	oaCall(t, mkt, "POST", "/api/customers", map[string]any{"kind": "person", "name": "坏号", "idType": "uscc", "idNumber": "123",
		"managers": []map[string]any{}}, nil, 400, nil)
	oaCall(t, mkt, "POST", "/api/customers", []byte(`kind=person`), map[string]string{"Content-Type": "text/plain"}, 415, nil)
	oaCall(t, mkt, "POST", "/api/customers/duplicates", []byte(`{"idNumber":"`+strings.Repeat("1", 2<<20)+`"}`), nil, 413, nil)

	// Reading: masked for the director, whole for the archives clerk.
	id := fmt.Sprintf("/api/customers/%d", detail.ID)
	oaCall(t, mkt, "GET", id, nil, nil, 200, &detail)
	if detail.IDNumber == personNo {
		t.Errorf("ID number not masked without customer:pii: %s", detail.IDNumber)
	}
	oaCall(t, arch, "GET", id, nil, nil, 200, &detail)
	if detail.IDNumber != personNo {
		t.Errorf("ID number masked despite customer:pii: %s", detail.IDNumber)
	}
	oaCall(t, mkt, "GET", "/api/customers/999999", nil, nil, 404, nil)
	oaCall(t, mkt, "GET", "/api/customers?q=契约&sort=-openedOn&pageSize=5", nil, nil, 200, nil)
	oaCall(t, arch, "GET", "/api/customers?kind=company&asOf=2026-11-20", nil, nil, 200, nil)
	oaCall(t, mkt, "GET", fmt.Sprintf("/api/customers?managerId=%d&unitId=%d&page=1", m1.ID, detail.BranchID), nil, nil, 200, nil)
	oaCall(t, mkt, "GET", "/api/customers?kind=planet", nil, nil, 400, nil)
	oaCall(t, mkt, "GET", "/api/customers?asOf=2026-02-30", nil, nil, 400, nil)

	// Duplicate check: visible to the director, only the owners to a CM.
	var dups struct {
		Items []struct {
			CustomerID int64 `json:"customerId"`
			Visible    bool  `json:"visible"`
		} `json:"items"`
	}
	oaCall(t, mkt, "POST", "/api/customers/duplicates", map[string]any{"idNumber": personNo, "phone": "13700000901"}, nil, 200, &dups)
	if len(dups.Items) != 1 || !dups.Items[0].Visible || dups.Items[0].CustomerID != detail.ID {
		t.Errorf("duplicate check for the director: %+v", dups.Items)
	}
	var hidden struct {
		Items []map[string]any `json:"items"`
	}
	oaCall(t, cm, "POST", "/api/customers/duplicates", map[string]any{"idNumber": companyNo}, nil, 200, &hidden)
	if len(hidden.Items) != 1 || hidden.Items[0]["visible"] != false || hidden.Items[0]["customerId"] != nil {
		t.Errorf("duplicate check for a CM outside the customer: %v", hidden.Items)
	}
	oaCall(t, mkt, "POST", "/api/customers/duplicates", map[string]any{}, nil, 400, nil)

	// Profile edits.
	oaCall(t, mkt, "PATCH", id, map[string]any{"address": "邢台市信都区契约路 2 号", "phone": nil}, nil, 200, nil)
	oaCall(t, mkt, "PATCH", id, map[string]any{"idNumber": companyNo, "idType": "resident_id"}, nil, 400, nil)
	oaCall(t, mkt, "PATCH", fmt.Sprintf("/api/customers/%d", company.ID), map[string]any{"kind": "person", "idType": "resident_id", "idNumber": personNo}, nil, 409, nil)
	oaCall(t, mkt, "PATCH", "/api/customers/999999", map[string]any{"name": "无"}, nil, 404, nil)
	oaCall(t, mkt, "PATCH", id, map[string]any{"vip": true}, nil, 400, nil)

	// Attribution: add an assisting manager, then the same date again.
	shares := map[string]any{"effectiveFrom": "2026-11-10", "signedOn": "2026-11-10", "reason": "增加协办 adding an assisting manager",
		"managers": []map[string]any{{"personId": m1.ID, "role": "primary", "shareBp": 7000}, {"personId": m2.ID, "role": "assisting", "shareBp": 3000}}}
	oaCall(t, mkt, "POST", id+"/attribution", shares, nil, 200, nil)
	oaCall(t, mkt, "POST", id+"/attribution", shares, nil, 400, nil)
	oaCall(t, mkt, "POST", "/api/customers/999999/attribution", shares, nil, 404, nil)

	// Transfers: one customer, an unknown one, into a closed period.
	var moved struct {
		Customers int `json:"customers"`
	}
	oaCall(t, mkt, "POST", "/api/customers/transfers", map[string]any{"fromPersonId": m1.ID, "toPersonId": m3.ID, "customerIds": []int64{detail.ID},
		"effectiveFrom": "2026-11-15", "reason": "移交 hand-over"}, nil, 200, &moved)
	if moved.Customers != 1 {
		t.Errorf("transfer moved %d customers, want 1", moved.Customers)
	}
	oaCall(t, mkt, "POST", "/api/customers/transfers", map[string]any{"fromPersonId": m3.ID, "toPersonId": m1.ID, "customerIds": []int64{999999},
		"effectiveFrom": "2026-11-20", "reason": "无此客户 no such customer"}, nil, 404, nil)
	oaCall(t, mkt, "POST", "/api/customers/transfers", map[string]any{"fromPersonId": m3.ID, "toPersonId": m3.ID,
		"effectiveFrom": "2026-11-20", "reason": "同一人 same person"}, nil, 400, nil)
	oaCall(t, admin, "POST", "/api/periods/2026-11/close", nil, nil, 200, nil)
	oaCall(t, mkt, "POST", "/api/customers/transfers", map[string]any{"fromPersonId": m3.ID, "toPersonId": m1.ID, "customerIds": []int64{detail.ID},
		"effectiveFrom": "2026-11-20", "reason": "关账后 after closing"}, nil, 409, nil)
	oaCall(t, mkt, "POST", id+"/attribution", map[string]any{"effectiveFrom": "2026-11-20", "reason": "关账后 after closing",
		"managers": []map[string]any{{"personId": m3.ID, "role": "primary", "shareBp": 10000}}}, nil, 409, nil)
	oaCall(t, admin, "POST", "/api/periods/2026-11/reopen", map[string]any{"reason": "契约测试 contract test"}, nil, 200, nil)

	// Confirmation forms of the month, and archiving them.
	forms := fmt.Sprintf("/api/customer-forms?branchId=%d&month=2026-11", detail.BranchID)
	var fp struct {
		Items []form `json:"items"`
	}
	oaCall(t, arch, "GET", forms+"&archived=false&pageSize=500", nil, nil, 200, &fp)
	if len(fp.Items) < 2 {
		t.Fatalf("unarchived forms of 2026-11: %d, want at least 2", len(fp.Items))
	}
	oaCall(t, arch, "GET", forms+"&archived=maybe", nil, nil, 400, nil)
	oaCall(t, arch, "GET", fmt.Sprintf("/api/customer-forms?branchId=%d", detail.BranchID), nil, nil, 400, nil)
	archive := map[string]any{"branchId": detail.BranchID, "month": "2026-11"}
	oaCall(t, arch, "POST", "/api/customer-forms/archive", map[string]any{"branchId": detail.BranchID, "month": "2026-11", "formIds": []int64{fp.Items[0].ID}}, nil, 200, nil)
	oaCall(t, arch, "POST", "/api/customer-forms/archive", archive, nil, 200, nil)
	oaCall(t, arch, "POST", "/api/customer-forms/archive", archive, nil, 409, nil)
	oaCall(t, arch, "POST", "/api/customer-forms/archive", map[string]any{"branchId": 999999, "month": "2026-11"}, nil, 404, nil)
	oaCall(t, arch, "POST", "/api/customer-forms/archive", map[string]any{"branchId": detail.BranchID, "month": "2026-13"}, nil, 400, nil)
	oaCall(t, arch, "GET", forms+"&archived=true", nil, nil, 200, nil)
	oaCall(t, mkt, "GET", id, nil, nil, 200, nil) // archived forms in the detail

	// Export.
	oaCall(t, mkt, "GET", "/api/customers/export.xlsx?kind=person&sort=name", nil, nil, 200, nil)
	oaCall(t, arch, "GET", "/api/customers/export.xlsx", nil, nil, 200, nil)
	oaCall(t, mkt, "GET", "/api/customers/export.xlsx?sort=salary", nil, nil, 400, nil)
	oaCall(t, cm, "GET", "/api/customers/export.xlsx", nil, nil, 403, nil)

	// Import: templates, a good file and a bad one.
	oaCall(t, mkt, "GET", "/api/import/customers/template", nil, nil, 200, nil)
	tpl := oaCall(t, mkt, "GET", "/api/import/customers/template?format=csv", nil, nil, 200, nil)
	header, _, _ := strings.Cut(strings.TrimPrefix(string(tpl), "\ufeff"), "\r\n")
	row := map[string]string{"kind": "个人", "name": "导入客户", "idType": "居民身份证", "idNumber": oaResidentID("13050319900101902"),
		"phone": "13700000902", "openedOn": "2026-11-03", "managerEmpNo": m1.EmpNo}
	if st, b := mkt.upload(t, "/api/import/customers", "customers.csv", []byte(header+"\r\n"+oaCustomerRow(t, header, row))); st != 200 {
		t.Errorf("customer import: %d %s", st, b)
	}
	row["idNumber"] = personNo[:17] + "Z"
	if st, b := mkt.upload(t, "/api/import/customers", "customers.csv", []byte(header+"\r\n"+oaCustomerRow(t, header, row))); st != 422 {
		t.Errorf("bad customer import: %d %s", st, b)
	}
	if st, b := cm.upload(t, "/api/import/customers", "customers.csv", []byte(header+"\r\n")); st != 403 {
		t.Errorf("customer import by a CM: %d %s", st, b)
	}
}

// oaExerciseMetrics calls every metric-catalogue operation with real
// requests as the marketing director (metric:manage).
func oaExerciseMetrics(t *testing.T, h *harness) {
	c := h.login(t, "mktdir")
	cm := h.login(t, "cm02")
	var list struct {
		Items []struct {
			Key        string            `json:"key"`
			Conversion map[string]string `json:"conversion"`
			SourceKind string            `json:"sourceKind"`
		} `json:"items"`
	}
	oaCall(t, c, "GET", "/api/metrics", nil, nil, 200, &list)
	oaCall(t, cm, "GET", "/api/metrics?active=true", nil, nil, 200, nil)
	var record, formula, conversion string
	for _, m := range list.Items {
		switch {
		case m.SourceKind == "formula" && formula == "":
			formula = m.Key
		case len(m.Conversion) > 0 && conversion == "":
			conversion = m.Key
		case m.SourceKind == "record" && record == "":
			record = m.Key
		}
	}
	if record == "" || formula == "" {
		t.Fatalf("the demo catalogue lacks a record or a formula metric: %+v", list.Items)
	}
	for _, k := range []string{record, formula, conversion} {
		if k != "" {
			oaCall(t, cm, "GET", "/api/metrics/"+k, nil, nil, 200, nil)
		}
	}
	oaCall(t, c, "GET", "/api/metrics/no_such_metric", nil, nil, 404, nil)

	visits := map[string]any{"key": "oa_visits", "nameZh": "契约拜访", "nameEn": "Contract visits", "unit": "count", "aggregation": "count",
		"recordType": "oa_visit", "description": "契约测试 contract test"}
	var m struct {
		Version int `json:"version"`
	}
	oaCall(t, c, "POST", "/api/metrics", visits, nil, 201, &m)
	oaCall(t, c, "POST", "/api/metrics", visits, nil, 409, nil)
	oaCall(t, c, "POST", "/api/metrics", map[string]any{"key": "9bad", "nameZh": "坏", "unit": "furlongs"}, nil, 400, nil)
	oaCall(t, c, "POST", "/api/metrics", map[string]any{"key": "oa_lots", "nameZh": "契约手数", "unit": "lots", "aggregation": "sum",
		"recordType": "oa_trade", "field": "quantity", "conversion": map[string]string{"oa_10t": "10/3", "*": "1"}}, nil, 201, nil)
	oaCall(t, c, "POST", "/api/metrics", map[string]any{"key": "oa_share", "nameZh": "契约占比", "nameEn": "Contract share", "unit": "percent",
		"formula": "oa_visits / " + record}, nil, 201, nil)
	oaCall(t, cm, "POST", "/api/metrics", map[string]any{"key": "oa_cm", "nameZh": "无权", "unit": "count", "aggregation": "count", "recordType": "x1"}, nil, 403, nil)

	edit := map[string]any{"nameZh": "契约拜访次数", "nameEn": "Contract visits", "unit": "count", "aggregation": "count", "recordType": "oa_visit",
		"description": "契约测试 contract test", "version": m.Version}
	oaCall(t, c, "PUT", "/api/metrics/oa_visits", edit, nil, 200, nil)
	oaCall(t, c, "PUT", "/api/metrics/oa_visits", edit, nil, 409, nil) // stale version
	edit["version"] = 0
	oaCall(t, c, "PUT", "/api/metrics/oa_visits", edit, nil, 200, nil) // unchanged
	edit["active"] = false
	oaCall(t, c, "PUT", "/api/metrics/oa_visits", edit, nil, 409, nil) // used by oa_share
	edit["key"] = "oa_other"
	oaCall(t, c, "PUT", "/api/metrics/oa_visits", edit, nil, 400, nil)
	oaCall(t, c, "PUT", "/api/metrics/no_such_metric", map[string]any{"nameZh": "无", "unit": "count"}, nil, 404, nil)

	oaCall(t, c, "POST", "/api/metrics/oa_visits/deactivate", map[string]any{"reason": "停用 retire"}, nil, 409, nil)
	oaCall(t, c, "POST", "/api/metrics/oa_share/deactivate", map[string]any{}, nil, 200, nil)
	oaCall(t, c, "POST", "/api/metrics/oa_share/deactivate", map[string]any{"reason": "再次 again"}, nil, 200, nil)
	oaCall(t, c, "POST", "/api/metrics/oa_visits/deactivate", map[string]any{"reason": "停用 retire"}, nil, 200, nil)
	oaCall(t, c, "POST", "/api/metrics/oa_visits/deactivate", nil, nil, 400, nil) // no body
	oaCall(t, c, "POST", "/api/metrics/no_such_metric/deactivate", map[string]any{}, nil, 404, nil)
	oaCall(t, c, "GET", "/api/metrics?active=true", nil, nil, 200, nil)
	oaCall(t, c, "GET", "/api/metrics?active=false", nil, nil, 200, nil)
}

// oaTargetNode is a node of the target tree, as much of it as the exercise needs.
type oaTargetNode struct {
	Type     string `json:"type"`
	UnitID   int64  `json:"unitId"`
	PersonID int64  `json:"personId"`
	Context  bool   `json:"context"`
	More     bool   `json:"more"`
	Target   *struct {
		Value   int64  `json:"value"`
		Note    string `json:"note"`
		Version int    `json:"version"`
	} `json:"target"`
	Children []*oaTargetNode `json:"children"`
}

// find returns the node of unit id below and including n, or nil.
func (n *oaTargetNode) find(unit int64) *oaTargetNode {
	if n == nil {
		return nil
	}
	if n.Type == "unit" && n.UnitID == unit {
		return n
	}
	for _, k := range n.Children {
		if f := k.find(unit); f != nil {
			return f
		}
	}
	return nil
}

// oaExerciseTargets calls every target operation with real requests: the
// marketing director (target:manage and metric:manage, branch scope) reads
// the tree, sets, decomposes and deletes targets and changes a rule; the
// manager of region 1 (target:manage there) works inside the region only;
// a customer manager (target:read) sees their own target and changes none.
// The demo has this month's branch target for new_accounts (300), split
// evenly over the three regions, region 1 over its two teams, the first
// team over its groups and the first group over its three people.
func oaExerciseTargets(t *testing.T, h *harness) {
	mkt := h.login(t, "mktdir")
	rm1 := h.login(t, "rm1")
	cm := h.login(t, "cm02")
	admin := h.login(t, "admin")
	period := testNow.Format("2006-01")
	branch, r1, r2 := unitID(t, mkt, "XZ"), unitID(t, mkt, "XZ-R1"), unitID(t, mkt, "XZ-R2")
	r1t1, r1t2, r2t1 := unitID(t, mkt, "XZ-R1-T1"), unitID(t, mkt, "XZ-R1-T2"), unitID(t, mkt, "XZ-R2-T1")
	treeOf := func(c *client, query string) *oaTargetNode {
		t.Helper()
		var v struct {
			Period string        `json:"period"`
			Root   *oaTargetNode `json:"root"`
		}
		oaCall(t, c, "GET", "/api/targets/tree?"+query, nil, nil, 200, &v)
		return v.Root
	}
	na := "period=" + period + "&metric=new_accounts"

	// The tree: whole, one level, as a region manager and as a CM.
	full := treeOf(mkt, na)
	t1 := full.find(r1t1)
	if full == nil || full.find(branch) == nil || full.find(branch).Target == nil || t1 == nil {
		t.Fatalf("the director's tree lacks the branch target or team 1 of region 1")
	}
	var g1 *oaTargetNode // the demo group whose people have targets
	for _, k := range t1.Children {
		for _, p := range k.Children {
			if p.Type == "person" && p.Target != nil && g1 == nil {
				g1 = k
			}
		}
	}
	if g1 == nil {
		t.Fatal("no group with personal targets below team 1 of region 1")
	}
	var people []*oaTargetNode
	for _, p := range g1.Children {
		if p.Type == "person" && p.Target != nil {
			people = append(people, p)
		}
	}
	if len(people) < 2 {
		t.Fatalf("group %d has %d personal targets, want at least 2", g1.UnitID, len(people))
	}
	if top := treeOf(mkt, fmt.Sprintf("%s&root=%d&depth=1", na, branch)); top == nil || len(top.Children) == 0 || !slices.ContainsFunc(top.Children, func(n *oaTargetNode) bool { return n.More }) {
		t.Errorf("depth 1 below the branch: %+v", top)
	}
	if rt := treeOf(rm1, na); rt == nil || !rt.Context || rt.find(r1) == nil || rt.find(r2) != nil {
		t.Errorf("region 1 manager's tree: context root and region 1 only: %+v", rt)
	}
	treeOf(cm, na)
	var quarter struct {
		Period string `json:"period"`
	}
	oaCall(t, mkt, "GET", "/api/targets/tree?period=2026-q4&metric=new_accounts", nil, nil, 200, &quarter)
	if quarter.Period != "2026-Q4" {
		t.Errorf("quarter period = %q, want 2026-Q4", quarter.Period)
	}
	if root := treeOf(mkt, "period=1990&metric=new_accounts"); root != nil {
		t.Errorf("a tree before the organisation existed has a root: %+v", root)
	}
	oaCall(t, mkt, "GET", "/api/targets/tree?metric=new_accounts", nil, nil, 400, nil)
	oaCall(t, mkt, "GET", "/api/targets/tree?period="+period+"&metric=no_such_metric", nil, nil, 400, nil)
	oaCall(t, mkt, "GET", "/api/targets/tree?"+na+"&depth=-1", nil, nil, 400, nil)
	oaCall(t, rm1, "GET", fmt.Sprintf("/api/targets/tree?%s&root=%d", na, r2), nil, nil, 404, nil)

	// Metrics of their own: an amount in yuan and a ratio (independent by default).
	oaCall(t, mkt, "POST", "/api/metrics", map[string]any{"key": "oa_tgt_sales", "nameZh": "契约销售额", "nameEn": "Contract sales", "unit": "yuan",
		"aggregation": "sum", "recordType": "oa_tgt_sale", "field": "amount"}, nil, 201, nil)
	oaCall(t, mkt, "POST", "/api/metrics", map[string]any{"key": "oa_tgt_cost", "nameZh": "契约成本", "nameEn": "Contract cost", "unit": "yuan",
		"aggregation": "sum", "recordType": "oa_tgt_cost", "field": "amount"}, nil, 201, nil)
	oaCall(t, mkt, "POST", "/api/metrics", map[string]any{"key": "oa_tgt_ratio", "nameZh": "契约成本率", "nameEn": "Contract cost ratio", "unit": "percent",
		"formula": "oa_tgt_cost / oa_tgt_sales"}, nil, 201, nil)

	// Rules: default, stored, unchanged, stale, refused.
	oaCall(t, cm, "GET", "/api/target-rules", nil, nil, 200, nil)
	var rule struct {
		Version int  `json:"version"`
		Default bool `json:"default"`
	}
	oaCall(t, mkt, "PUT", "/api/target-rules/oa_tgt_sales", map[string]any{"mode": "exact", "version": 0, "reason": "契约 contract"}, nil, 200, &rule)
	if rule.Version != 1 || rule.Default {
		t.Errorf("stored rule: %+v", rule)
	}
	oaCall(t, mkt, "PUT", "/api/target-rules/oa_tgt_sales", map[string]any{"mode": "exact", "version": 1}, nil, 200, nil)
	oaCall(t, mkt, "PUT", "/api/target-rules/oa_tgt_sales", map[string]any{"mode": "at_most", "version": 7}, nil, 409, nil)
	oaCall(t, mkt, "PUT", "/api/target-rules/oa_tgt_sales", map[string]any{"mode": "most"}, nil, 400, nil)
	oaCall(t, mkt, "PUT", "/api/target-rules/no_such_metric", map[string]any{"mode": "exact"}, nil, 404, nil)
	oaCall(t, rm1, "PUT", "/api/target-rules/oa_tgt_sales", map[string]any{"mode": "independent"}, nil, 403, nil)
	oaCall(t, mkt, "PUT", "/api/target-rules/oa_tgt_sales", []byte(`mode=exact`), map[string]string{"Content-Type": "text/plain"}, 415, nil)
	oaCall(t, mkt, "GET", "/api/target-rules", nil, nil, 200, nil)

	// Setting targets.
	set := func(c *client, want int, body map[string]any) []byte {
		t.Helper()
		body["period"] = period
		if body["metric"] == nil {
			body["metric"] = "new_accounts"
		}
		return oaCall(t, c, "PUT", "/api/targets", body, nil, want, nil)
	}
	bt := full.find(branch).Target
	// Unchanged (the note is part of the form), so the same version; the
	// institution above has no target of its own.
	var same struct {
		Target struct {
			Version int `json:"version"`
		} `json:"target"`
	}
	if err := json.Unmarshal(set(mkt, 200, map[string]any{"unitId": branch, "value": "300", "note": bt.Note, "version": bt.Version}), &same); err != nil || same.Target.Version != bt.Version {
		t.Errorf("an unchanged target got version %d, want %d (%v)", same.Target.Version, bt.Version, err)
	}
	// A bare JSON number, below what the group had.
	set(mkt, 200, map[string]any{"personId": people[0].PersonID, "value": people[0].Target.Value - 1, "note": "契约"})
	set(rm1, 200, map[string]any{"unitId": r1t2, "value": "50"})
	set(mkt, 200, map[string]any{"metric": "oa_tgt_sales", "unitId": branch, "value": 1234.56})
	set(mkt, 200, map[string]any{"metric": "oa_tgt_ratio", "unitId": branch, "value": "0.855"})
	// A ratio is independent: above the branch's is fine.
	set(mkt, 200, map[string]any{"metric": "oa_tgt_ratio", "unitId": r1, "value": "0.9"})
	// The regions together would exceed the branch: exceeds_parent.
	set(mkt, 409, map[string]any{"unitId": r2, "value": "250"})
	// Below what region 1 already gave its teams: below_children.
	set(mkt, 409, map[string]any{"unitId": r1, "value": "50"})
	set(mkt, 409, map[string]any{"unitId": branch, "value": "300", "version": bt.Version + 5})
	set(mkt, 400, map[string]any{"unitId": branch, "value": "12.5"})
	set(mkt, 400, map[string]any{"unitId": branch, "value": "3e2"})
	set(mkt, 400, map[string]any{"unitId": branch, "value": true})
	set(mkt, 400, map[string]any{"unitId": branch, "personId": people[0].PersonID, "value": "1"})
	set(cm, 403, map[string]any{"unitId": r1, "value": "1"})
	// The region's own target is the branch's to set.
	set(rm1, 403, map[string]any{"unitId": r1, "value": "100"})
	set(rm1, 404, map[string]any{"unitId": r2, "value": "100"})
	oaCall(t, mkt, "PUT", "/api/targets", []byte(`{"period":"`+period+`","metric":"new_accounts","unitId":1,"value":"1","bonus":1}`), nil, 400, nil)

	// Decomposing: a dry run, an even split, nothing to change, conflicts.
	decompose := func(c *client, want int, body map[string]any) {
		t.Helper()
		body["period"] = period
		if body["metric"] == nil {
			body["metric"] = "new_accounts"
		}
		oaCall(t, c, "POST", "/api/targets/decompose", body, nil, want, nil)
	}
	decompose(mkt, 200, map[string]any{"parentUnitId": r2, "even": true, "dryRun": true,
		"children": []map[string]any{{"unitId": r2t1}, {"unitId": unitID(t, mkt, "XZ-R2-T2")}}})
	decompose(mkt, 200, map[string]any{"parentUnitId": r2, "even": true, "note": "平均分解 even split"})
	decompose(mkt, 200, map[string]any{"parentUnitId": r1, "children": []map[string]any{{"unitId": r1t1, "value": "50"}, {"unitId": r1t2, "value": 50}}})
	decompose(rm1, 200, map[string]any{"parentUnitId": g1.UnitID, "children": []map[string]any{{"personId": people[0].PersonID, "value": "10"}}})
	// Under the exact rule, short of the branch: incomplete.
	decompose(mkt, 200, map[string]any{"metric": "oa_tgt_sales", "parentUnitId": branch, "children": []map[string]any{{"unitId": r1, "value": "234.56"}}})
	// A ratio is independent: no sums, no status.
	decompose(mkt, 200, map[string]any{"metric": "oa_tgt_ratio", "parentUnitId": r1, "even": true})
	decompose(mkt, 409, map[string]any{"parentUnitId": r1, "children": []map[string]any{{"unitId": r1t1, "value": "60"}, {"unitId": r1t2, "value": "50"}}})
	decompose(mkt, 409, map[string]any{"parentUnitId": r1, "children": []map[string]any{{"unitId": r1t1, "value": "40"}}})
	decompose(mkt, 409, map[string]any{"parentUnitId": r1, "children": []map[string]any{{"unitId": r1t1, "value": "50", "version": 99}}})
	decompose(mkt, 400, map[string]any{"parentUnitId": r1})
	decompose(mkt, 400, map[string]any{"metric": "oa_tgt_cost", "parentUnitId": r1, "even": true}) // no target to split
	decompose(mkt, 400, map[string]any{"parentUnitId": r1, "children": []map[string]any{{"unitId": r2t1, "value": "1"}}})
	decompose(rm1, 404, map[string]any{"parentUnitId": r2, "children": []map[string]any{{"unitId": r2t1, "value": "1"}}})
	decompose(rm1, 403, map[string]any{"parentUnitId": branch, "children": []map[string]any{{"unitId": r1, "value": "100"}}})
	decompose(cm, 403, map[string]any{"parentUnitId": r1, "even": true})
	// Written as decomposed: the whole tree once more, with every status.
	treeOf(mkt, na)
	treeOf(mkt, "period="+period+"&metric=oa_tgt_sales")
	treeOf(mkt, "period="+period+"&metric=oa_tgt_ratio")

	// Deleting: refused while decomposed, stale, then done; gone afterwards.
	del := func(c *client, want int, query string) {
		t.Helper()
		oaCall(t, c, "DELETE", "/api/targets?period="+period+"&"+query, nil, nil, want, nil)
	}
	del(mkt, 409, fmt.Sprintf("metric=oa_tgt_sales&unitId=%d", branch))
	del(mkt, 409, fmt.Sprintf("metric=oa_tgt_sales&unitId=%d&version=9", r1))
	del(mkt, 204, fmt.Sprintf("metric=oa_tgt_sales&unitId=%d&version=1&reason=%s", r1, url.QueryEscape("撤销 withdrawn")))
	del(mkt, 404, fmt.Sprintf("metric=oa_tgt_sales&unitId=%d", r1))
	del(rm1, 204, fmt.Sprintf("metric=new_accounts&personId=%d", people[1].PersonID))
	del(mkt, 400, "metric=new_accounts")
	del(mkt, 400, fmt.Sprintf("metric=new_accounts&unitId=%d&version=-1", r1))
	del(rm1, 404, fmt.Sprintf("metric=new_accounts&unitId=%d", r2))
	del(cm, 403, fmt.Sprintf("metric=new_accounts&unitId=%d", r1))

	// A closed period takes no writes.
	closed := testNow.AddDate(0, -2, 0).Format("2006-01")
	oaCall(t, admin, "POST", "/api/periods/"+closed+"/close", nil, nil, 200, nil)
	oaCall(t, mkt, "PUT", "/api/targets", map[string]any{"period": closed, "metric": "new_accounts", "unitId": branch, "value": "1"}, nil, 409, nil)
	oaCall(t, mkt, "POST", "/api/targets/decompose", map[string]any{"period": closed, "metric": "new_accounts", "parentUnitId": branch, "even": true}, nil, 409, nil)
	oaCall(t, mkt, "DELETE", fmt.Sprintf("/api/targets?period=%s&metric=new_accounts&unitId=%d", closed, branch), nil, nil, 409, nil)
	oaCall(t, admin, "POST", "/api/periods/"+closed+"/reopen", map[string]any{"reason": "契约测试 contract test"}, nil, 200, nil)
}
