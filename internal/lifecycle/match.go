package lifecycle

import (
	"fmt"
	"slices"
	"strings"

	packageurl "github.com/package-url/packageurl-go"

	"github.com/vigil-med/vigil/internal/feeds/endoflife"
	"github.com/vigil-med/vigil/internal/lazyre"
	"github.com/vigil-med/vigil/internal/sbom"
)

// Resolver matches SBOM components to endoflife.date cycles. It is safe for concurrent use once
// built.
type Resolver struct {
	cat   *endoflife.Catalog
	opts  Options
	purls map[string]string // "type/namespace/name" (lower case) → product
	cpes  map[string]string // "part:vendor:product" → product
}

// purlAliases add package names endoflife.date does not list as identifiers of a product.
var purlAliases = map[string]string{
	"maven/org.apache.logging.log4j/log4j-api":        "log4j",
	"maven/org.apache.tomcat.embed/tomcat-embed-core": "tomcat",
	"maven/org.apache.tomcat/tomcat-catalina":         "tomcat",
	"maven/org.apache.tomcat/tomcat-coyote":           "tomcat",
	"generic//log4j":                                  "log4j",
	"generic//openssl":                                "openssl",
	"conan//openssl":                                  "openssl",
	"generic//nodejs":                                 "nodejs",
	"generic//node.js":                                "nodejs",
	"generic//cpython":                                "python",
	"generic//qt":                                     "qt",
	"generic//qtbase":                                 "qt",
	"github/qt/qtbase":                                "qt",
	"nuget//microsoft.aspnetcore.app":                 "dotnet",
	"generic//sqlite3":                                "sqlite",
	"generic//tomcat":                                 "tomcat",
}

// purlFamilies map the artifacts of a project that ship together to its endoflife.date product:
// every org.apache.tomcat/tomcat-* jar is part of Tomcat, every org.springframework/spring-* jar of
// Spring Framework, and so on.
var purlFamilies = []struct{ typ, namespace, namePrefix, product string }{
	{"maven", "org.apache.tomcat", "tomcat-", "tomcat"},
	{"maven", "org.apache.tomcat.embed", "tomcat-embed-", "tomcat"},
	{"maven", "org.apache.logging.log4j", "log4j-", "log4j"},
	{"maven", "org.springframework", "spring-", "spring-framework"},
	{"maven", "org.springframework.boot", "spring-boot", "spring-boot"},
}

// cpeAliases add CPE names endoflife.date does not list (part:vendor:product).
var cpeAliases = map[string]string{
	"a:microsoft:.net_framework":    "dotnetfx",
	"a:microsoft:.net_core":         "dotnet",
	"a:microsoft:asp.net_core":      "dotnet",
	"a:apache:tomcat":               "tomcat",
	"a:nodejs:node.js":              "nodejs",
	"a:sqlite:sqlite":               "sqlite",
	"a:microsoft:internet_explorer": "internet-explorer",
}

// distroProducts maps distribution names used in purl namespaces and distro qualifiers to
// endoflife.date products.
var distroProducts = map[string]string{
	"debian": "debian", "ubuntu": "ubuntu", "rhel": "rhel", "redhat": "rhel", "centos": "centos",
	"rocky": "rocky-linux", "rocky-linux": "rocky-linux", "rockylinux": "rocky-linux",
	"almalinux": "almalinux", "alma": "almalinux", "ol": "oracle-linux", "oracle": "oracle-linux",
	"oraclelinux": "oracle-linux", "amzn": "amazon-linux", "amazon": "amazon-linux",
	"alpine": "alpine-linux", "fedora": "fedora", "sles": "sles", "suse": "sles",
}

// NewResolver builds a resolver over a catalog. The catalog is not copied; do not change it while the
// resolver is in use.
func NewResolver(cat *endoflife.Catalog, o Options) *Resolver {
	r := &Resolver{cat: cat, opts: o, purls: map[string]string{}, cpes: map[string]string{}}
	for _, name := range cat.Names() {
		p := cat.Products[name]
		for _, id := range p.Identifiers {
			switch id.Type {
			case "purl":
				if k, ok := purlKey(id.Value); ok {
					if _, dup := r.purls[k]; !dup {
						r.purls[k] = name
					}
				}
			case "cpe":
				if c, ok := parseCPE(id.Value); ok {
					k := c.part + ":" + c.vendor + ":" + c.product
					if _, dup := r.cpes[k]; !dup {
						r.cpes[k] = name
					}
				}
			}
		}
	}
	for k, v := range purlAliases {
		if _, ok := r.purls[k]; !ok {
			r.purls[k] = v
		}
	}
	for k, v := range cpeAliases {
		if _, ok := r.cpes[k]; !ok {
			r.cpes[k] = v
		}
	}
	return r
}

// Options returns the resolver's options.
func (r *Resolver) Options() Options { return r.opts }

func purlKey(s string) (string, bool) {
	p, err := packageurl.FromString(s)
	if err != nil {
		return "", false
	}
	return strings.ToLower(p.Type + "/" + p.Namespace + "/" + p.Name), true
}

// Components resolves every component that names a tracked operating system or runtime, in input
// order; components that name nothing known are left out.
func (r *Resolver) Components(cs []sbom.Component) []Item {
	var out []Item
	for _, c := range cs {
		if it, ok := r.Component(c); ok {
			out = append(out, it)
		}
	}
	return out
}

// Component resolves one component. It tries, in order, the purl (a distribution package follows its
// distribution's support; other packages the product's cycle), the CPE, and the name and version (only
// when there is no purl or a pkg:generic one). It
// returns false when the component names no product endoflife.date (or Vigil's supplement) tracks.
// A recognised product whose version matches no cycle gives an item with StatusUnknown and a reason.
func (r *Resolver) Component(c sbom.Component) (Item, bool) {
	subject := strings.TrimSpace(c.Name + " " + c.Version)
	if c.Group != "" && c.Name != "" {
		subject = strings.TrimSpace(c.Group + "/" + c.Name + " " + c.Version)
	}
	base := Item{Subject: subject, ComponentRef: c.Ref}
	if c.PURL != "" {
		if it, ok := r.byPURL(base, c); ok {
			return withSubject(it, ok)
		}
	}
	if c.CPE != "" {
		if it, ok := r.byCPE(base, c); ok {
			return withSubject(it, ok)
		}
	}
	// A package URL of a language ecosystem names the package exactly; its name is not then read as
	// a product name (the PostgreSQL JDBC driver is not PostgreSQL).
	if c.Name != "" && (c.PURL == "" || strings.HasPrefix(c.PURL, "pkg:generic/")) {
		if it, ok := r.byName(base, c); ok {
			return withSubject(it, ok)
		}
	}
	return Item{}, false
}

// withSubject makes sure an item names what it is about.
func withSubject(it Item, ok bool) (Item, bool) {
	if ok && it.Subject == "" {
		it.Subject = it.Identifier
	}
	return it, ok
}

func (r *Resolver) byPURL(it Item, c sbom.Component) (Item, bool) {
	p, err := packageurl.FromString(c.PURL)
	if err != nil {
		return Item{}, false
	}
	it.Identifier = c.PURL
	version := p.Version
	if version == "" {
		version = c.Version
	}
	switch p.Type {
	case "deb", "rpm", "apk":
		return r.distroPackage(it, p, version)
	}
	product, ok := r.purls[strings.ToLower(p.Type+"/"+p.Namespace+"/"+p.Name)]
	if !ok {
		for _, f := range purlFamilies {
			if p.Type == f.typ && p.Namespace == f.namespace && strings.HasPrefix(p.Name, f.namePrefix) {
				product, ok = f.product, true
				break
			}
		}
	}
	if !ok {
		return Item{}, false
	}
	return r.productCycle(it, product, version, "purl", ConfidenceHigh, "purl "+c.PURL), true
}

var (
	debRelease   = lazyre.New(`[+~]deb(\d+)u\d+`)
	elRelease    = lazyre.New(`\.el(\d+)`)
	amznRelease  = lazyre.New(`\.amzn(\d+)`)
	fedoraRelase = lazyre.New(`\.fc(\d+)`)
	// trailingVersion finds a cycle written into a name, as in python3.8.
	trailingVersion = lazyre.New(`(\d+(\.\d+)+)$`)
)

// distroPackage resolves a deb/rpm/apk package to its distribution's cycle: from the distro
// qualifier (distro=debian-10, ubuntu-22.04, rhel-8.6, alpine-3.17.2 or a codename), else from the
// package version's release tag (+deb11u4, .el8, .amzn2, .fc38).
func (r *Resolver) distroPackage(it Item, p packageurl.PackageURL, version string) (Item, bool) {
	q := p.Qualifiers.Map()
	ns := strings.ToLower(p.Namespace)
	if d := strings.ToLower(q["distro"]); d != "" {
		name, ver := splitDistro(d)
		if name == "" {
			name = ns
		}
		product, ok := distroProducts[name]
		if !ok {
			product, ok = distroProducts[ns]
		}
		if !ok {
			return Item{}, false
		}
		if ver == "" {
			ver = r.codenameCycle(product, d)
		}
		return r.productCycle(it, product, ver, "distro", ConfidenceHigh,
			fmt.Sprintf("distribution package %s built for %s (distro qualifier)", p.Name, d)), true
	}
	var product, ver string
	switch {
	case p.Type == "deb" && debRelease.MatchString(version):
		product, ver = "debian", debRelease.FindStringSubmatch(version)[1]
	case p.Type == "rpm" && elRelease.MatchString(version):
		product, ver = distroProducts[ns], elRelease.FindStringSubmatch(version)[1]
		if product == "" || product == "fedora" || product == "amazon-linux" {
			product = "rhel"
		}
	case p.Type == "rpm" && amznRelease.MatchString(version):
		product, ver = "amazon-linux", amznRelease.FindStringSubmatch(version)[1]
	case p.Type == "rpm" && fedoraRelase.MatchString(version):
		product, ver = "fedora", fedoraRelase.FindStringSubmatch(version)[1]
	default:
		return Item{}, false
	}
	return r.productCycle(it, product, ver, "distro", ConfidenceMedium,
		fmt.Sprintf("distribution package %s whose version %s carries the release tag of %s %s", p.Name, version, product, ver)), true
}

// splitDistro splits "debian-10.13" into ("debian", "10.13"); a bare codename gives ("", "").
func splitDistro(d string) (string, string) {
	for i := 0; i < len(d); i++ {
		if d[i] == '-' && i+1 < len(d) && d[i+1] >= '0' && d[i+1] <= '9' {
			return d[:i], d[i+1:]
		}
	}
	if _, ok := distroProducts[d]; ok {
		return d, ""
	}
	return "", ""
}

// codenameCycle finds the cycle whose codename starts with the word in s ("bookworm", "jammy").
func (r *Resolver) codenameCycle(product, s string) string {
	p, ok := r.cat.Product(product)
	if !ok {
		return ""
	}
	word := strings.Fields(strings.ReplaceAll(s, "-", " "))
	for _, c := range p.Cycles {
		cw := strings.Fields(strings.ToLower(c.Codename))
		if len(cw) > 0 && slices.Contains(word, cw[0]) {
			return c.Name
		}
	}
	return ""
}

func (r *Resolver) byCPE(it Item, c sbom.Component) (Item, bool) {
	cp, ok := parseCPE(c.CPE)
	if !ok {
		return Item{}, false
	}
	it.Identifier = c.CPE
	if cp.vendor == "microsoft" && strings.HasPrefix(cp.product, "windows") {
		words := windowsWords(strings.Join([]string{cp.product, cp.version, cp.update, cp.edition, cp.swEdition}, " "))
		if t, ok := resolveWindows(words); ok {
			return r.windowsItem(it, t, "cpe", ConfidenceHigh, "CPE "+c.CPE), true
		}
	}
	product, ok := r.cpes[cp.part+":"+cp.vendor+":"+cp.product]
	if !ok {
		return Item{}, false
	}
	version := cp.version
	if version == "" {
		version = c.Version
	}
	return r.productCycle(it, product, version, "cpe", ConfidenceHigh, "CPE "+c.CPE), true
}

// nameRules recognise products by component name (lower case, group/ prefix removed).
var nameRules = []struct {
	re      *lazyre.Regexp
	product string
	conf    Confidence
	note    string
}{
	{lazyre.New(`^(openssl|open ssl|libssl[\d.]*|libcrypto[\d.]*)$`), "openssl", ConfidenceMedium, ""},
	{lazyre.New(`^(python|python3|cpython|python[23]\.\d+)$`), "python", ConfidenceMedium, ""},
	{lazyre.New(`^(node|nodejs|node\.js)$`), "nodejs", ConfidenceMedium, ""},
	{lazyre.New(`^(log4j|log4j-core|log4j-api|apache log4j)$`), "log4j", ConfidenceMedium, ""},
	{lazyre.New(`^(tomcat|apache tomcat|tomcat-embed-core|tomcat-catalina)$`), "tomcat", ConfidenceMedium, ""},
	{lazyre.New(`^(qt|qt5|qt6|qtbase|qt5-base|qt6-base|libqt5core\d*|libqt6core\d*)$`), "qt", ConfidenceMedium, ""},
	{lazyre.New(`^((microsoft )?\.net framework|dotnetfx|netfx)$`), "dotnetfx", ConfidenceMedium, ""},
	{lazyre.New(`^((microsoft )?\.net( core| runtime)?|dotnet|dotnet-runtime|microsoft\.netcore\.app)$`), "dotnet", ConfidenceMedium, ""},
	{lazyre.New(`^(eclipse temurin|temurin|adoptopenjdk)`), "eclipse-temurin", ConfidenceMedium, ""},
	{lazyre.New(`^(amazon corretto|corretto)`), "amazon-corretto", ConfidenceMedium, ""},
	{lazyre.New(`^(azul zulu|zulu)`), "azul-zulu", ConfidenceMedium, ""},
	{lazyre.New(`^(oracle java|oracle jdk|oracle jre|java se|java\(tm\) se|jdk|jre|java|java runtime environment|openjdk)$`), "oracle-jdk", ConfidenceLow,
		"a generic Java name is read as Oracle Java SE; other builds (Temurin, Corretto, Zulu) have their own dates"},
	{lazyre.New(`^(sqlite|sqlite3)$`), "sqlite", ConfidenceMedium, ""},
	{lazyre.New(`^(postgresql|postgres)$`), "postgresql", ConfidenceMedium, ""},
	{lazyre.New(`^(mysql|mysql server|mysql-server)$`), "mysql", ConfidenceMedium, ""},
	{lazyre.New(`^nginx$`), "nginx", ConfidenceMedium, ""},
	{lazyre.New(`^(apache http server|httpd|apache2)$`), "apache-http-server", ConfidenceMedium, ""},
	{lazyre.New(`^(microsoft )?internet explorer$`), "internet-explorer", ConfidenceMedium, ""},
	{lazyre.New(`^(microsoft )?sql server`), "mssqlserver", ConfidenceMedium, ""},
	{lazyre.New(`^(debian|debian gnu/linux)$`), "debian", ConfidenceMedium, ""},
	{lazyre.New(`^ubuntu`), "ubuntu", ConfidenceMedium, ""},
	{lazyre.New(`^(red hat enterprise linux|rhel)`), "rhel", ConfidenceMedium, ""},
	{lazyre.New(`^centos( linux)?$`), "centos", ConfidenceMedium, ""},
	{lazyre.New(`^(alpine|alpine linux)$`), "alpine-linux", ConfidenceMedium, ""},
	{lazyre.New(`^(rocky|rocky linux)$`), "rocky-linux", ConfidenceMedium, ""},
	{lazyre.New(`^almalinux$`), "almalinux", ConfidenceMedium, ""},
	{lazyre.New(`^(linux|linux kernel|linux-kernel)$`), "linux-kernel", ConfidenceMedium, ""},
}

func (r *Resolver) byName(it Item, c sbom.Component) (Item, bool) {
	name := strings.ToLower(strings.TrimSpace(c.Name))
	it.Identifier = strings.TrimSpace(c.Name + " " + c.Version)
	if words := windowsWords(name + " " + c.Version); slices.Contains(words, "windows") {
		t, _ := resolveWindows(words)
		return r.windowsItem(it, t, "name", ConfidenceMedium, fmt.Sprintf("name %q", it.Identifier)), true
	}
	for _, rule := range nameRules {
		if rule.re.MatchString(name) {
			version := c.Version
			if version == "" {
				// Names such as python3.8 carry the cycle.
				if m := trailingVersion.FindString(name); m != "" {
					version = m
				}
			}
			out := r.productCycle(it, rule.product, version, "name", rule.conf, fmt.Sprintf("name %q", it.Identifier))
			if rule.note != "" {
				out.Reason += " Note: " + rule.note + "."
			}
			return out, true
		}
	}
	return Item{}, false
}

// productCycle finishes an item for an endoflife.date product and a version.
func (r *Resolver) productCycle(it Item, product, version, method string, conf Confidence, basis string) Item {
	it.Method, it.Confidence = method, conf
	it.Source = Source{Kind: SourceEndOfLife, Product: product}
	p, ok := r.cat.Product(product)
	if !ok {
		it.Status = StatusUnknown
		it.Reason = fmt.Sprintf("Recognised as endoflife.date product %q, which is not in the loaded data. Matched by %s.", product, basis)
		return it
	}
	if version == "" {
		it.Status, it.Confidence = StatusUnknown, ConfidenceLow
		it.Reason = fmt.Sprintf("%s: the version is not stated, so the support cycle is unknown. Matched by %s.", p.Title, basis)
		return it
	}
	cy, ok := cycleFor(p, version)
	if !ok {
		it.Status = StatusUnknown
		it.Reason = fmt.Sprintf("%s: version %s matches none of the cycles endoflife.date lists (%s). Matched by %s.", p.Title, version, cycleNames(p, 12), basis)
		return it
	}
	it.Source.Cycle = cy.Name
	it.Source.Reference = cy.Link
	label := p.Title + " " + cy.Label
	if it.Subject == "" || method == "distro" {
		// A distribution package stands for its distribution release in the legacy register.
		it.Subject = label
	}
	out := r.opts.cycleItem(it, label, cy)
	out.Reason += fmt.Sprintf(" Matched by %s to endoflife.date %s %s (%s confidence).", basis, product, cy.Name, conf)
	return out
}

func (r *Resolver) windowsItem(it Item, t windowsTarget, method string, conf Confidence, basis string) Item {
	it.Method, it.Confidence = method, conf
	if t.supplement != "" {
		s := supplements[t.supplement]
		it.Source = Source{Kind: SourceSupplement, Product: t.supplement, Reference: s.Ref}
		if it.Subject == "" {
			it.Subject = s.Label
		}
		it.Date = s.EOL
		it.Status = r.opts.statusOfDate(s.EOL)
		verb := map[Status]string{StatusEnded: "ended on", StatusEndingSoon: "ends on", StatusSupported: "runs until"}[it.Status]
		it.Reason = fmt.Sprintf("%s: extended support %s %s (%s; endoflife.date does not list this product). Matched by %s.", s.Label, verb, ymd(s.EOL), s.Ref, basis)
		return it
	}
	it.Source = Source{Kind: SourceEndOfLife, Product: t.product}
	p, ok := r.cat.Product(t.product)
	if !ok {
		it.Status = StatusUnknown
		it.Reason = fmt.Sprintf("%s: endoflife.date product %q is not in the loaded data. Matched by %s.", t.label, t.product, basis)
		return it
	}
	for _, name := range t.cycles {
		cy, ok := p.Cycle(name)
		if !ok {
			continue
		}
		it.Source.Cycle, it.Source.Reference = cy.Name, cy.Link
		if t.ambiguous != "" {
			it.Confidence = ConfidenceLow
		}
		if it.Subject == "" {
			it.Subject = p.Title + " " + cy.Label
		}
		out := r.opts.cycleItem(it, p.Title+" "+cy.Label, cy)
		out.Reason += fmt.Sprintf(" Matched by %s to endoflife.date %s %s (%s confidence).", basis, t.product, cy.Name, it.Confidence)
		if t.ambiguous != "" {
			out.Reason += " Note: " + t.ambiguous + "."
		}
		return out
	}
	it.Status = StatusUnknown
	if len(t.cycles) == 0 {
		it.Reason = fmt.Sprintf("%s: not enough detail to pick a support cycle. Matched by %s.", t.label, basis)
	} else {
		it.Reason = fmt.Sprintf("%s: endoflife.date lists no cycle %s for %s. Matched by %s.", t.label, strings.Join(t.cycles, " or "), t.product, basis)
	}
	return it
}

// cpe is the part of a CPE name the resolver uses.
type cpe struct {
	part, vendor, product, version, update, edition, swEdition string
}

// parseCPE reads a CPE 2.3 formatted string or a CPE 2.2 URI. "*" and "-" become "". Escapes are
// removed.
func parseCPE(s string) (cpe, bool) {
	var fields []string
	switch {
	case strings.HasPrefix(s, "cpe:2.3:"):
		fields = splitEscaped(s[len("cpe:2.3:"):])
	case strings.HasPrefix(s, "cpe:/"):
		fields = strings.Split(s[len("cpe:/"):], ":")
	default:
		return cpe{}, false
	}
	get := func(i int) string {
		if i >= len(fields) {
			return ""
		}
		v := strings.ReplaceAll(fields[i], `\`, "")
		if v == "*" || v == "-" {
			return ""
		}
		return strings.ToLower(v)
	}
	c := cpe{part: get(0), vendor: get(1), product: get(2), version: get(3), update: get(4), edition: get(5)}
	if strings.HasPrefix(s, "cpe:2.3:") {
		c.swEdition = get(7)
	}
	if c.part == "" || c.vendor == "" || c.product == "" {
		return cpe{}, false
	}
	return c, true
}

// splitEscaped splits on ':' not preceded by a backslash.
func splitEscaped(s string) []string {
	var out []string
	var cur strings.Builder
	esc := false
	for _, r := range s {
		switch {
		case esc:
			cur.WriteRune('\\')
			cur.WriteRune(r)
			esc = false
		case r == '\\':
			esc = true
		case r == ':':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(out, cur.String())
}
