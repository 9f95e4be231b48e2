package disclosure

import (
	"context"
	"fmt"
	"strings"

	"github.com/vigil-med/vigil/internal/csaf"
	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/store"
)

// The mapping queue and re-applying the mapping: a person maps an advisory product to a product (with a
// version range of their own, or the advisory's) or ignores it; the decision is remembered as a rule for
// the vendor and product name and applied at once to every advisory that names the same product, and
// to later ones when they arrive.

// MapInput is a person's mapping decision for an advisory product.
type MapInput struct {
	ProductID    int64  `json:"product_id" doc:"the inventory product it is"`
	VersionRange string `json:"version_range,omitempty" doc:"the versions it covers when the advisory's text cannot be read: a vers range (vers:generic/<=2.3), free text (<= 2.3, all versions) or empty for the advisory's own"`
}

// CheckRange validates a version range a person gives.
func CheckRange(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	r := csaf.ParseRange(s)
	if r.All || r.Parsed && len(r.Constraints) > 0 {
		return nil
	}
	return domain.Invalid("version_range", "%q is not a version range; write for example <= 2.3, >= 1.0 | < 2.0, vers:generic/<=4.1 or all versions", s)
}

// MapAdvisoryProduct maps an advisory product to a product, remembers the decision as a rule and
// applies it to every advisory that names the same vendor and product. It reports what the new mapping
// covers.
func MapAdvisoryProduct(ctx context.Context, sc *store.Scope, apID int64, in MapInput) (MappingResult, error) {
	var res MappingResult
	err := sc.Write(ctx, func(tx *store.Tx) error {
		ap, err := tx.Scope().AdvisoryProduct(ctx, apID)
		if err != nil {
			return err
		}
		if err := CheckRange(in.VersionRange); err != nil {
			return err
		}
		if in.ProductID == 0 {
			return domain.Invalid("product_id", "choose the product")
		}
		if _, err := tx.Scope().Product(ctx, in.ProductID); err != nil {
			return domain.Invalid("product_id", "there is no product with id %d", in.ProductID)
		}
		rule := domain.MappingRule{Vendor: ap.Vendor, Name: ruleName(&ap), VendorKey: ap.VendorKey, NameKey: ap.NameKey, ProductID: in.ProductID,
			VersionRange: strings.TrimSpace(in.VersionRange)}
		if err := tx.SaveMappingRule(ctx, &rule); err != nil {
			return err
		}
		res, err = remapKey(ctx, tx, ap.VendorKey, ap.NameKey)
		return err
	})
	return res, err
}

// IgnoreAdvisoryProduct records that an advisory product is not in the inventory (remembered for its
// vendor and product name; with allOfVendor, for every product of its vendor) and applies it.
func IgnoreAdvisoryProduct(ctx context.Context, sc *store.Scope, apID int64, allOfVendor bool) (MappingResult, error) {
	var res MappingResult
	err := sc.Write(ctx, func(tx *store.Tx) error {
		ap, err := tx.Scope().AdvisoryProduct(ctx, apID)
		if err != nil {
			return err
		}
		rule := domain.MappingRule{Vendor: ap.Vendor, Name: ruleName(&ap), VendorKey: ap.VendorKey, NameKey: ap.NameKey}
		if allOfVendor {
			if ap.VendorKey == "" {
				return domain.Invalid("all_of_vendor", "the advisory names no vendor for this product")
			}
			rule.Name, rule.NameKey = "(every product)", ""
		}
		if err := tx.SaveMappingRule(ctx, &rule); err != nil {
			return err
		}
		res, err = remapKey(ctx, tx, rule.VendorKey, rule.NameKey)
		return err
	})
	return res, err
}

// DeleteMappingRule forgets a rule and applies the mapping again to the advisories it concerned.
func DeleteMappingRule(ctx context.Context, sc *store.Scope, id int64) (MappingResult, error) {
	var res MappingResult
	err := sc.Write(ctx, func(tx *store.Tx) error {
		r, err := tx.Scope().MappingRule(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteMappingRule(ctx, id); err != nil {
			return err
		}
		res, err = remapKey(ctx, tx, r.VendorKey, r.NameKey)
		return err
	})
	return res, err
}

// Remap applies the mapping to every advisory again (after the inventory changed: new products,
// versions, aliases, model numbers). It is one transaction.
func Remap(ctx context.Context, sc *store.Scope) (MappingResult, error) {
	var res MappingResult
	err := sc.Write(ctx, func(tx *store.Tx) error {
		all, err := tx.Scope().AllAdvisoryProducts(ctx, 0)
		if err != nil {
			return err
		}
		ids := map[int64]bool{}
		for _, p := range all {
			ids[p.AdvisoryID] = true
		}
		if res, err = remapAdvisories(ctx, tx, ids); err != nil {
			return err
		}
		n, err := ReattachVEX(ctx, tx)
		if err != nil {
			return err
		}
		return tx.Audit(ctx, store.AuditEntry{Action: "csaf.remap", Entity: "advisory", Summary: "applied the mapping of advisories again: " + res.String() +
			fmt.Sprintf("; %d VEX statements attached", n), Data: res})
	})
	return res, err
}

// remapKey applies the mapping again to the advisories with products of a vendor and name ("" name: every
// product of the vendor).
func remapKey(ctx context.Context, tx *store.Tx, vendorKey, nameKey string) (MappingResult, error) {
	all, err := tx.Scope().AllAdvisoryProducts(ctx, 0)
	if err != nil {
		return MappingResult{}, err
	}
	ids := map[int64]bool{}
	for _, p := range all {
		if p.VendorKey == vendorKey && (nameKey == "" || p.NameKey == nameKey) {
			ids[p.AdvisoryID] = true
		}
	}
	return remapAdvisories(ctx, tx, ids)
}

// remapProductAdvisories applies the mapping again to the advisories linked to a product or suggesting
// it (after its versions or SBOM changed).
func remapProductAdvisories(ctx context.Context, tx *store.Tx, productID int64) (MappingResult, error) {
	page, err := tx.Scope().AdvisoryProducts(ctx, domain.AdvisoryProductFilter{ProductID: productID, ListParams: domain.ListParams{Limit: domain.MaxPageSize}})
	if err != nil {
		return MappingResult{}, err
	}
	ids := map[int64]bool{}
	for _, p := range page.Items {
		ids[p.AdvisoryID] = true
	}
	all, err := tx.Scope().AllAdvisoryProducts(ctx, 0)
	if err != nil {
		return MappingResult{}, err
	}
	for _, p := range all {
		for _, s := range p.Suggestions {
			if s == productID {
				ids[p.AdvisoryID] = true
			}
		}
	}
	return remapAdvisories(ctx, tx, ids)
}

// remapAdvisories maps the products of the advisories again, reading each advisory's stored document.
func remapAdvisories(ctx context.Context, tx *store.Tx, ids map[int64]bool) (MappingResult, error) {
	var res MappingResult
	if len(ids) == 0 {
		return res, nil
	}
	sc := tx.Scope()
	cat, err := loadCatalogue(ctx, sc)
	if err != nil {
		return res, err
	}
	for id := range ids {
		a, err := sc.Advisory(ctx, id)
		if err != nil {
			return res, err
		}
		data, err := sc.DocumentContent(ctx, a.DocumentID)
		if err != nil {
			return res, err
		}
		parsed, err := csaf.ParseBytes(data, a.TrackingID)
		if err != nil {
			return res, fmt.Errorf("advisory %s: the stored document no longer parses: %w", a.TrackingID, err)
		}
		products, err := sc.AllAdvisoryProducts(ctx, id)
		if err != nil {
			return res, err
		}
		r, err := applyMapping(ctx, tx, cat, &a, products, parsed)
		if err != nil {
			return res, err
		}
		res.add(r)
	}
	return res, nil
}

// Rule builds a mapping rule for advisory products of a vendor and product name as an advisory writes
// them (map to productID, or ignore when it is 0); store it with store.Tx.SaveMappingRule.
func Rule(vendor, name string, productID int64, versionRange string) domain.MappingRule {
	return domain.MappingRule{Vendor: vendor, Name: name, VendorKey: vendorKey(vendor), NameKey: productKey(name), ProductID: productID,
		VersionRange: versionRange}
}
