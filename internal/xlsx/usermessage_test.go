package xlsx

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestUserMessageDropsTheCause(t *testing.T) {
	cause := errors.New("zip: checksum error in /tmp/excelize-123/xl/worksheets/sheet1.xml")
	err := fmt.Errorf("open upload: %w", newFileError(ErrFormat, cause, "文件已损坏 the file is damaged"))
	msg, ok := UserMessage(err)
	if !ok || msg != "文件已损坏 the file is damaged" || strings.Contains(msg, "zip") {
		t.Fatalf("UserMessage = %q, %v", msg, ok)
	}
	if !strings.Contains(err.Error(), "checksum") {
		t.Fatal("the cause must stay in the error for the log")
	}
	if _, ok := UserMessage(errors.New("read tcp: connection reset")); ok {
		t.Fatal("an I/O error is not a message for the user")
	}
}
