package xlsx

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// csvSource reads comma-separated text in UTF-8 or GB18030. A line
// without a double quote — nearly every line of a system export — is
// split at its commas directly; a line with one is handed to encoding/csv
// (with the lines after it while a quoted field continues), so quoting
// follows the standard library exactly. The fuzz test holds both paths to
// encoding/csv's answers.
type csvSource struct {
	dec  *textDecoder
	br   *bufio.Reader // the decoded text
	cr   *csv.Reader   // reads from feed: the records with quotes
	feed *lineFeeder

	line    int    // physical lines read
	extra   int    // lines inside multi-line records: rows = lines - extra
	scratch []byte // a line longer than br's buffer
}

func newCSVSource(br *bufio.Reader, head []byte) *csvSource {
	dec := &textDecoder{br: br}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3) // cannot fail: the bytes are buffered
		dec.r, dec.enc = br, "utf-8-bom"
	}
	s := &csvSource{dec: dec, br: bufio.NewReaderSize(dec, 64<<10)}
	s.feed = &lineFeeder{src: s}
	s.cr = csv.NewReader(s.feed)
	s.cr.FieldsPerRecord = -1 // rows may be shorter or longer than the header
	return s
}

// readLine returns the next physical line with its line break, or io.EOF.
// The bytes are valid until the next call.
func (s *csvSource) readLine() ([]byte, error) {
	line, err := s.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		s.scratch = append(s.scratch[:0], line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = s.br.ReadSlice('\n')
			s.scratch = append(s.scratch, line...)
		}
		line = s.scratch
	}
	switch {
	case len(line) > 0:
		s.line++
		return line, nil
	case err == nil:
		return nil, io.EOF // cannot happen: ReadSlice returns data or an error
	default:
		return nil, err
	}
}

func (s *csvSource) next() ([]string, int, error) {
	for {
		line, err := s.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, 0, io.EOF
			}
			return nil, 0, readError(err)
		}
		if bytes.IndexByte(line, '"') >= 0 {
			return s.quoted(line)
		}
		// As encoding/csv: a final CR LF or LF ends the line, a CR
		// before the end of the file is dropped, blank lines are skipped.
		n := len(line)
		switch line[n-1] {
		case '\n':
			n--
			if n > 0 && line[n-1] == '\r' {
				n--
			}
		case '\r':
			n--
		}
		if n == 0 {
			continue
		}
		if s.dec.invalidBytes(line[:n]) {
			return nil, 0, s.dec.lineError(s.line)
		}
		text := string(line[:n])
		rec := make([]string, 0, bytes.Count(line[:n], []byte{','})+1)
		for {
			i := strings.IndexByte(text, ',')
			if i < 0 {
				rec = append(rec, text)
				break
			}
			rec = append(rec, text[:i])
			text = text[i+1:]
		}
		return rec, s.line - s.extra, nil
	}
}

// quoted reads the record that starts with line through encoding/csv.
func (s *csvSource) quoted(line []byte) ([]string, int, error) {
	first := s.line
	s.feed.start(line)
	rec, err := s.cr.Read()
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		at := first + pe.Line - s.feed.fedBefore
		return nil, 0, newFileError(ErrFormat, pe.Err, "第 %d 行 CSV 格式错误（引号不匹配？） line %d: malformed CSV (unbalanced quotes?)", at, at)
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF // the feeder had a line: cannot happen
		}
		return nil, 0, readError(err)
	}
	for i, f := range rec {
		if s.dec.invalid(f) {
			l, _ := s.cr.FieldPos(i)
			at := first + l - s.feed.fedBefore
			return nil, 0, s.dec.lineError(at)
		}
	}
	// A record with line breaks inside quotes is one row.
	num := first - s.extra
	s.extra += s.line - first
	return rec, num, nil
}

// lineFeeder gives encoding/csv one physical line at a time, so that its
// buffer never holds the start of the next record: a record's first line,
// then the following lines only while the record continues.
type lineFeeder struct {
	src       *csvSource
	pending   []byte
	fed       int // lines given to encoding/csv
	fedBefore int // lines given before the current record's first, plus one
}

func (f *lineFeeder) start(line []byte) {
	f.pending = line
	f.fed++
	f.fedBefore = f.fed
}

func (f *lineFeeder) Read(p []byte) (int, error) {
	if len(f.pending) == 0 {
		line, err := f.src.readLine()
		if err != nil {
			return 0, err
		}
		f.pending = line
		f.fed++
	}
	n := copy(p, f.pending)
	f.pending = f.pending[n:]
	return n, nil
}

func (s *csvSource) encoding() string { return s.dec.encoding() }

func (s *csvSource) close() error { return nil }

// textDecoder passes ASCII through until it meets the first non-ASCII byte,
// then decides the encoding from the next 64 KiB: UTF-8 if they are valid
// UTF-8, otherwise GB18030 (a superset of GBK, what Chinese Excel writes) if
// they decode as that, otherwise the upload is rejected. Deciding late keeps
// a long ASCII prefix streaming and still sees the Chinese text that tells
// the encodings apart.
type textDecoder struct {
	br    *bufio.Reader
	r     io.Reader // nil until decided
	enc   string
	lines int // line breaks passed through before deciding
	err   error
}

// minUTF8Evidence is how many valid multi-byte characters before an invalid
// byte make a file UTF-8 with a damaged line rather than GB18030: GBK text
// almost never forms even two valid UTF-8 sequences in a row.
const minUTF8Evidence = 8

func (d *textDecoder) Read(p []byte) (int, error) {
	if d.r != nil {
		return d.r.Read(p)
	}
	if d.err != nil {
		return 0, d.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if d.br.Buffered() == 0 {
		if _, err := d.br.Peek(1); err != nil {
			return 0, err
		}
	}
	buf, _ := d.br.Peek(d.br.Buffered())
	i := 0
	for i < len(buf) && buf[i] < utf8.RuneSelf {
		i++
	}
	if i > 0 {
		n := copy(p, buf[:i])
		d.lines += bytes.Count(p[:n], []byte{'\n'})
		_, _ = d.br.Discard(n)
		return n, nil
	}
	win, err := d.br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return 0, err
	}
	if d.err = d.decide(win, errors.Is(err, io.EOF)); d.err != nil {
		return 0, d.err
	}
	return d.r.Read(p)
}

func (d *textDecoder) decide(win []byte, atEOF bool) error {
	badU, evidence := utf8Prefix(win, atEOF)
	if badU < 0 || evidence >= minUTF8Evidence {
		d.r, d.enc = d.br, "utf-8"
		return nil // a damaged line is reported when its record is read
	}
	dec := simplifiedchinese.GB18030.NewDecoder()
	out := make([]byte, 3*len(win)+utf8.UTFMax) // worst case: every byte → U+FFFD
	n, _, _ := dec.Transform(out, win, atEOF)   // ErrShortSrc at a split character is fine
	out = out[:n]
	badG := bytes.IndexRune(out, utf8.RuneError)
	if badG < 0 {
		d.r, d.enc = transform.NewReader(d.br, simplifiedchinese.GB18030.NewDecoder()), "gb18030"
		return nil
	}
	// Neither fits: name the line where the better guess breaks down.
	line := d.lines + 1 + max(bytes.Count(win[:badU], []byte{'\n'}), bytes.Count(out[:badG], []byte{'\n'}))
	return newFileError(ErrEncoding, nil, "第 %d 行含有无法识别的字符（既不是 UTF-8 也不是 GBK），请另存为「CSV UTF-8」 line %d has bytes that are neither UTF-8 nor GBK/GB18030; save the file as \"CSV UTF-8\"", line, line)
}

func (d *textDecoder) encoding() string {
	if d.enc == "" {
		return "utf-8"
	}
	return d.enc
}

// invalidBytes is invalid for a whole line.
func (d *textDecoder) invalidBytes(b []byte) bool {
	if d.enc == "gb18030" {
		return bytes.Contains(b, []byte("\uFFFD"))
	}
	return !utf8.Valid(b)
}

// invalid reports whether a decoded field shows bytes the chosen encoding
// could not decode: invalid UTF-8, or U+FFFD which the GB18030 decoder
// substitutes for invalid sequences.
func (d *textDecoder) invalid(f string) bool {
	if d.enc == "gb18030" {
		return strings.ContainsRune(f, utf8.RuneError)
	}
	return !utf8.ValidString(f)
}

func (d *textDecoder) lineError(line int) error {
	if d.enc == "gb18030" {
		return newFileError(ErrEncoding, nil, "第 %d 行含有无法识别的字符（既不是 UTF-8 也不是 GBK），请另存为「CSV UTF-8」 line %d has bytes that are neither UTF-8 nor GBK/GB18030; save the file as \"CSV UTF-8\"", line, line)
	}
	return newFileError(ErrEncoding, nil, "第 %d 行不是有效的 UTF-8 文本（文件中混有其他编码？），请另存为「CSV UTF-8」 line %d is not valid UTF-8 (mixed encodings?); save the file as \"CSV UTF-8\"", line, line)
}

// utf8Prefix returns the offset of the first invalid UTF-8 byte in b (-1
// if none) and the number of multi-byte characters before it. Unless atEOF,
// b may end in the middle of a character.
func utf8Prefix(b []byte, atEOF bool) (bad, multi int) {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			if !atEOF && !utf8.FullRune(b[i:]) {
				return -1, multi
			}
			return i, multi
		}
		multi++
		i += size
	}
	return -1, multi
}
