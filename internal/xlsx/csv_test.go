package xlsx

import (
	"bytes"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func encode(t testing.TB, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCSVEncodings(t *testing.T) {
	cols := peopleCols()
	text := "工号 EmpNo,姓名 Name,所属机构 Unit\r\n" +
		"E0009,张三,总行营业部\r\n" +
		"E0002,\"欧阳, 娜娜\",\"第一\n支行\"\r\n" +
		"E0003,李四,\r\n" +
		"\r\n"
	tests := []struct {
		name string
		data []byte
		enc  string
	}{
		{"utf-8", []byte(text), "utf-8"},
		{"utf-8 bom", append([]byte("\xef\xbb\xbf"), text...), "utf-8-bom"},
		{"gbk", encode(t, simplifiedchinese.GBK, text), "gb18030"},
		{"gb18030", encode(t, simplifiedchinese.GB18030, text), "gb18030"},
		{"lf only", []byte(strings.ReplaceAll(text, "\r\n", "\n")), "utf-8"},
	}
	var first []Row
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rd := readAll(t, tt.data, "people.csv", cols, Options{})
			if rd.Encoding() != tt.enc {
				t.Errorf("Encoding = %q, want %q", rd.Encoding(), tt.enc)
			}
			if got := values(rows, "name"); !reflect.DeepEqual(got, []string{"张三", "欧阳, 娜娜", "李四"}) {
				t.Errorf("names = %q", got)
			}
			if first == nil {
				first = rows
			} else if !reflect.DeepEqual(rows, first) {
				t.Errorf("rows differ from utf-8:\n%+v\n%+v", rows, first)
			}
		})
	}

	t.Run("gb18030 four-byte characters", func(t *testing.T) {
		// 𠀀 and 䶮 are outside GBK; Chinese Windows writes them as GB18030.
		data := encode(t, simplifiedchinese.GB18030, "工号,姓名\nE1,刘䶮𠀀\n")
		rows, rd := readAll(t, data, "", cols, Options{})
		if rd.Encoding() != "gb18030" || rows[0].Values["name"] != "刘䶮𠀀" {
			t.Errorf("%q: %+v", rd.Encoding(), rows)
		}
	})

	t.Run("chinese after a long ascii prefix", func(t *testing.T) {
		var b bytes.Buffer
		b.WriteString("empNo,name\n")
		for b.Len() < 3*sniffSize {
			b.WriteString("E1,Zhang San\n")
		}
		b.WriteString("E2,张三\n")
		rows, rd := readAll(t, encode(t, simplifiedchinese.GBK, b.String()), "", cols, Options{})
		if rd.Encoding() != "gb18030" || rows[len(rows)-1].Values["name"] != "张三" {
			t.Errorf("%q: %+v", rd.Encoding(), rows[len(rows)-1])
		}
	})
}

func TestCSVInvalidEncoding(t *testing.T) {
	cols := peopleCols()
	longUTF8 := strings.Repeat("E1,张三\n", sniffSize/10)
	tests := []struct {
		name string
		data []byte
		line string
	}{
		{
			name: "invalid in gbk",
			data: append(encode(t, simplifiedchinese.GBK, "工号,姓名\nE1,张三\n"), "E2,\xff\xff\n"...),
			line: "第 3 行",
		},
		{
			name: "gbk after utf-8",
			data: append([]byte("工号,姓名\n"+longUTF8), encode(t, simplifiedchinese.GBK, "E2,王五\n")...),
			line: "第 " + strconv.Itoa(2+strings.Count(longUTF8, "\n")) + " 行",
		},
		{
			name: "truncated utf-8 at the end",
			data: []byte("工号,姓名\nE1,张\xe4\xb8"),
			line: "第 2 行",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := openErr(tt.data, "a.csv", cols, Options{})
			if !errors.Is(err, ErrEncoding) || !strings.Contains(err.Error(), tt.line) {
				t.Errorf("err = %v, want encoding error on %s", err, tt.line)
			}
		})
	}
}
