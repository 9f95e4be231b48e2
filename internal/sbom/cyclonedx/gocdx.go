package cyclonedx

import (
	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/vigil-med/vigil/internal/sbom"
)

// fromBOM converts a BOM decoded by cyclonedx-go.
func fromBOM(bom *cdx.BOM, format sbom.Format) *sbom.Document {
	b := newBuilder(format)
	b.doc.SpecVersion = bom.SpecVersion.String()
	b.doc.Serial = bom.SerialNumber
	if md := bom.Metadata; md != nil {
		b.setCreated(md.Timestamp)
		if md.Tools != nil {
			if md.Tools.Tools != nil {
				for _, t := range *md.Tools.Tools {
					b.doc.Tools = append(b.doc.Tools, tool(t.Vendor, t.Name, t.Version))
				}
			}
			if md.Tools.Components != nil {
				for _, t := range *md.Tools.Components {
					b.doc.Tools = append(b.doc.Tools, tool(orgName(t.Supplier), t.Name, t.Version))
				}
			}
			if md.Tools.Services != nil {
				for _, t := range *md.Tools.Services {
					b.doc.Tools = append(b.doc.Tools, tool(orgName(t.Provider), t.Name, t.Version))
				}
			}
		}
		if md.Component != nil {
			rc := raw(md.Component)
			s := b.component(&rc, "", loc{"metadata.component", -1})
			b.doc.Subject = &s
			if md.Component.Components != nil {
				b.walk(*md.Component.Components, s.Ref, "metadata.component.components")
			}
		}
	}
	if bom.Components != nil {
		b.walk(*bom.Components, "", "components")
	}
	return b.doc
}

func (b *builder) walk(cs []cdx.Component, parent, path string) {
	for i := range cs {
		c := &cs[i]
		where := loc{path, i}
		rc := raw(c)
		n := b.component(&rc, parent, where)
		b.doc.Components = append(b.doc.Components, n)
		if c.Components != nil {
			b.walk(*c.Components, n.Ref, where.String()+".components")
		}
	}
}

func raw(c *cdx.Component) rawComponent {
	rc := rawComponent{
		BOMRef:       c.BOMRef,
		Type:         string(c.Type),
		Group:        c.Group,
		Name:         c.Name,
		Version:      c.Version,
		Supplier:     orgName(c.Supplier),
		Manufacturer: orgName(c.Manufacturer),
		Publisher:    c.Publisher,
		Author:       c.Author,
		PURL:         c.PackageURL,
		CPE:          c.CPE,
	}
	if rc.Author == "" && c.Authors != nil {
		for _, a := range *c.Authors {
			if a.Name != "" {
				rc.Author = a.Name
				break
			}
		}
	}
	if c.Hashes != nil {
		for _, h := range *c.Hashes {
			rc.Hashes = append(rc.Hashes, sbom.Hash{Alg: string(h.Algorithm), Value: h.Value})
		}
	}
	if c.Licenses != nil {
		for _, l := range *c.Licenses {
			switch {
			case l.Expression != "":
				rc.Licenses = append(rc.Licenses, l.Expression)
			case l.License != nil && l.License.ID != "":
				rc.Licenses = append(rc.Licenses, l.License.ID)
			case l.License != nil && l.License.Name != "":
				rc.Licenses = append(rc.Licenses, l.License.Name)
			}
		}
	}
	return rc
}

func orgName(o *cdx.OrganizationalEntity) string {
	if o == nil {
		return ""
	}
	return o.Name
}
