package app

import (
	"context"
	"testing"

	"cmhub/internal/access"
	"cmhub/internal/audit"
	"cmhub/internal/customer"
	"cmhub/internal/people"
	"cmhub/internal/store"
	"cmhub/internal/store/storetest"
)

func TestGenerate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := testServices(t, db)
		info, err := Generate(ctx, s, GenOptions{Code: "GEN", Managers: 2500, Customers: 12000}, nil)
		if err != nil {
			t.Fatal(err)
		}
		// 2 500 CMs → 250 groups, 50 teams, 13 regions, 3 branches; plus their
		// leads and each branch's GM and marketing department of three.
		if info.Groups != 250 || info.Teams != 50 || info.Regions != 13 || info.Branches != 3 || info.People != 2500+50+26+3*4 || info.Forms != 12000 {
			t.Fatalf("shape: %+v", info)
		}
		all := access.WithPrincipal(ctx, access.System(info.Institution, "test"))
		_, total, err := s.People.List(all, people.Filter{})
		if err != nil || total != int(info.People) {
			t.Fatalf("people: %d %v", total, err)
		}
		_, total, err = s.Customers.List(all, customer.Filter{})
		if err != nil || total != 12000 {
			t.Fatalf("customers: %d %v", total, err)
		}
		// A manager sees exactly their customers (12 000 over 2 500 → 4 or 5 each).
		p := access.System(info.Institution, "cm")
		p.Scope = access.Scope{Institution: info.Institution, Self: info.firstCM(t, s, all)}
		_, total, err = s.Customers.List(access.WithPrincipal(ctx, p), customer.Filter{})
		if err != nil || total != 5 {
			t.Fatalf("one CM's customers: %d %v", total, err)
		}
		// The data still takes normal writes (identities moved past the loaded ids) and the audit chain is whole.
		if _, err := s.Customers.Create(all, customer.NewCustomer{Kind: customer.KindPerson, Name: "之后", IDType: customer.IDResident,
			IDNumber: "11010119900307" + "663" + string(customer.ResidentIDCheckChar("11010119900307663")),
			Managers: []customer.Holder{{PersonID: p.Scope.Self, Role: customer.RolePrimary, ShareBP: customer.FullShare}}}); err != nil {
			t.Fatalf("create after gen: %v", err)
		}
		if _, problem, err := audit.Verify(ctx, db); err != nil || problem != nil {
			t.Fatalf("audit: %v %v", problem, err)
		}
	})
}

func (info *GenInfo) firstCM(t *testing.T, s *Services, ctx context.Context) int64 {
	t.Helper()
	items, _, err := s.People.List(ctx, people.Filter{Q: "GEN0000001"})
	if err != nil || len(items) != 1 {
		t.Fatalf("first CM: %v %v", items, err)
	}
	return items[0].ID
}
