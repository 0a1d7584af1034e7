package customer

import (
	"regexp"
	"strings"
	"time"

	"cmhub/internal/platform"
)

// Identity document types: a small fixed set, each valid for one kind of
// customer and with its own format check.
const (
	IDResident = "resident_id"     // 居民身份证 (also 港澳台居民居住证, same format)
	IDHKMacau  = "hk_macau_permit" // 港澳居民来往内地通行证
	IDTaiwan   = "taiwan_permit"   // 台湾居民来往大陆通行证
	IDPassport = "passport"        // 护照
	IDUSCC     = "uscc"            // 统一社会信用代码 (companies)
)

// IDType describes a document type.
type IDType struct {
	Label
	Kind string `json:"kind"` // the customer kind it identifies
}

// IDTypes lists the document types in display order.
func IDTypes() []IDType {
	return []IDType{
		{Label{IDResident, "居民身份证", "Resident ID card"}, KindPerson},
		{Label{IDHKMacau, "港澳居民来往内地通行证", "Mainland travel permit (HK/Macau)"}, KindPerson},
		{Label{IDTaiwan, "台湾居民来往大陆通行证", "Mainland travel permit (Taiwan)"}, KindPerson},
		{Label{IDPassport, "护照", "Passport"}, KindPerson},
		{Label{IDUSCC, "统一社会信用代码", "Unified social credit code"}, KindCompany},
	}
}

func idTypeLabels() []Label {
	ts := IDTypes()
	out := make([]Label, len(ts))
	for i, t := range ts {
		out[i] = t.Label
	}
	return out
}

func idTypeKind(code string) string {
	for _, t := range IDTypes() {
		if t.Code == code {
			return t.Kind
		}
	}
	return ""
}

var (
	hkMacauRe  = regexp.MustCompile(`^[HM][0-9]{8}([0-9]{2})?$`)
	taiwanRe   = regexp.MustCompile(`^[0-9]{8}([0-9]{2})?$`)
	passportRe = regexp.MustCompile(`^[A-Z0-9]{5,17}$`)
)

// NormaliseIDNumber upper-cases and removes spaces, as numbers are stored.
func NormaliseIDNumber(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// CheckIDNumber validates a normalised number of the given type and
// returns a message for the user, or "" when it is valid.
func CheckIDNumber(idType, n string, today platform.Date) string {
	switch idType {
	case IDResident:
		return checkResidentID(n, today)
	case IDHKMacau:
		if !hkMacauRe.MatchString(n) {
			return "港澳通行证号码须为 H 或 M 加 8 位（旧证 10 位）数字 must be H or M followed by 8 (or 10) digits"
		}
	case IDTaiwan:
		if !taiwanRe.MatchString(n) {
			return "台胞证号码须为 8 位（旧证 10 位）数字 must be 8 (or 10) digits"
		}
	case IDPassport:
		if !passportRe.MatchString(n) {
			return "护照号码须为 5–17 位字母或数字 must be 5–17 letters or digits"
		}
	case IDUSCC:
		if !ValidUSCC(n) {
			return "统一社会信用代码须为 18 位且校验位正确 must be 18 characters with a valid check character"
		}
	default:
		return "证件类型不在列表中 unknown ID type"
	}
	return ""
}

// provinces are the first two digits of a resident ID (GB/T 2260), plus
// 81/82/83 of the residence permits for people from Hong Kong, Macau, Taiwan.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true, "21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true, "50": true, "51": true,
	"52": true, "53": true, "54": true, "61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

var residentWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// ResidentIDCheckChar returns the check character (ISO 7064 MOD 11-2, GB
// 11643) of the first 17 digits of a resident ID.
func ResidentIDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * residentWeights[i]
	}
	return "10X98765432"[sum%11]
}

func checkResidentID(n string, today platform.Date) string {
	if len(n) != 18 {
		return "身份证号须为 18 位 must be 18 characters"
	}
	for i := 0; i < 17; i++ {
		if n[i] < '0' || n[i] > '9' {
			return "身份证号前 17 位须为数字 the first 17 characters must be digits"
		}
	}
	if c := n[17]; (c < '0' || c > '9') && c != 'X' {
		return "身份证号末位须为数字或 X the last character must be a digit or X"
	}
	if !provinces[n[:2]] {
		return "身份证号的地区码不存在 unknown region code"
	}
	birth, err := time.Parse("20060102", n[6:14])
	if err != nil || birth.Year() < 1900 || platform.DateOf(birth).After(today) {
		return "身份证号中的出生日期不正确 the date of birth in the number is not valid"
	}
	if ResidentIDCheckChar(n) != n[17] {
		return "身份证号校验位不正确，请核对 the check digit does not match; please check the number"
	}
	return ""
}

// usccChars are the characters of a unified social credit code (GB
// 32100-2015): digits and capitals without I, O, Z, S, V.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// USCCCheckChar returns the check character of the first 17 characters of
// a unified social credit code, or 0 when one of them is not allowed.
func USCCCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, first17[i])
		if v < 0 {
			return 0
		}
		sum += v * usccWeights[i]
	}
	return usccChars[(31-sum%31)%31]
}

// ValidUSCC reports whether n is an 18-character code with a valid check character.
func ValidUSCC(n string) bool {
	if len(n) != 18 {
		return false
	}
	c := USCCCheckChar(n)
	return c != 0 && c == n[17]
}
