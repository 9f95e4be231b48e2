package config

import (
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/spf13/pflag"
)

// Setting describes one configuration value for flags, the environment and `vigil config print`.
type Setting struct {
	Key    string // dotted name, e.g. "smtp.host"
	Env    string // e.g. VIGIL_SMTP_HOST
	Flag   string // flag name or ""
	Help   string
	Secret bool
	value  reflect.Value
}

// Settings lists every setting of c in declaration order; the values point into c.
func Settings(c *Config) []Setting {
	var out []Setting
	walk(reflect.ValueOf(c).Elem(), "", &out)
	return out
}

func walk(v reflect.Value, prefix string, out *[]Setting) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		key := f.Tag.Get("key")
		if key == "" {
			continue
		}
		if prefix != "" {
			key = prefix + "." + key
		}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Duration]() {
			walk(v.Field(i), key, out)
			continue
		}
		*out = append(*out, Setting{
			Key:    key,
			Env:    "VIGIL_" + strings.ToUpper(strings.NewReplacer(".", "_").Replace(key)),
			Flag:   f.Tag.Get("flag"),
			Help:   f.Tag.Get("help"),
			Secret: f.Tag.Get("secret") == "true",
			value:  v.Field(i),
		})
	}
}

// String returns the value as text (secrets masked when mask is set).
func (s Setting) String(mask bool) string {
	if mask && s.Secret {
		if s.value.IsZero() {
			return ""
		}
		if s.Key == "database" {
			return MaskURL(s.value.String())
		}
		return "xxxxx"
	}
	switch x := s.value.Interface().(type) {
	case []string:
		return strings.Join(x, ",")
	case map[string]string:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + x[k]
		}
		return strings.Join(parts, ",")
	default:
		return fmt.Sprint(x)
	}
}

// set parses text into the setting's value.
func (s Setting) set(text string) error {
	v := s.value
	switch v.Interface().(type) {
	case string:
		v.SetString(text)
	case bool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("must be true or false (got %q)", text)
		}
		v.SetBool(b)
	case int, int64:
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return fmt.Errorf("must be a whole number (got %q)", text)
		}
		v.SetInt(n)
	case time.Duration:
		d, err := time.ParseDuration(strings.TrimSpace(text))
		if err != nil {
			return fmt.Errorf("must be a duration such as 30s, 15m or 12h (got %q)", text)
		}
		v.SetInt(int64(d))
	case []string:
		var parts []string
		for p := range strings.SplitSeq(text, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		v.Set(reflect.ValueOf(parts))
	case map[string]string:
		m := map[string]string{}
		for p := range strings.SplitSeq(text, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			k, val, ok := strings.Cut(p, "=")
			if !ok {
				return fmt.Errorf("must be a list of name=value pairs (got %q)", p)
			}
			m[strings.TrimSpace(k)] = strings.TrimSpace(val)
		}
		v.Set(reflect.ValueOf(m))
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

// Source is where configuration values come from.
type Source struct {
	File   string              // YAML file; "" for none
	Env    func(string) string // os.Getenv in production
	Flags  *pflag.FlagSet      // flags given on the command line (only changed flags count)
	Prefix map[string]string   // optional: flag name → setting key, when they differ
}

// Load builds a validated Config: defaults, then the file, then the environment, then changed flags.
func Load(src Source) (Config, error) {
	c := Default()
	settings := Settings(&c)
	byKey := map[string]Setting{}
	for _, s := range settings {
		byKey[s.Key] = s
	}
	if src.File != "" {
		if err := loadFile(src.File, byKey); err != nil {
			return c, err
		}
	}
	if src.Env != nil {
		for _, s := range settings {
			if text := src.Env(s.Env); text != "" {
				if err := s.set(text); err != nil {
					return c, fmt.Errorf("config %s (from %s): %v", s.Key, s.Env, err)
				}
			}
		}
	}
	if src.Flags != nil {
		for _, s := range settings {
			if s.Flag == "" {
				continue
			}
			f := src.Flags.Lookup(s.Flag)
			if f == nil || !f.Changed {
				continue
			}
			if err := s.set(f.Value.String()); err != nil {
				return c, fmt.Errorf("config %s (from --%s): %v", s.Key, s.Flag, err)
			}
		}
	}
	return c, c.Validate()
}

func loadFile(path string, byKey map[string]Setting) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	if len(b) > 1<<20 {
		return fmt.Errorf("config file %s: larger than 1 MiB", path)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("config file %s: %v", path, err)
	}
	flat := map[string]any{}
	flatten("", raw, flat, byKey)
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, ok := byKey[k]
		if !ok {
			return fmt.Errorf("config file %s: unknown setting %q", path, k)
		}
		if err := s.set(yamlText(flat[k])); err != nil {
			return fmt.Errorf("config file %s: %s: %v", path, k, err)
		}
	}
	return nil
}

// flatten turns nested maps into dotted keys, stopping at keys that are settings themselves (maps such
// as oidc.role_map are values, not sections).
func flatten(prefix string, m map[string]any, out map[string]any, byKey map[string]Setting) {
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok {
			if _, isSetting := byKey[key]; !isSetting {
				flatten(key, sub, out, byKey)
				continue
			}
		}
		out[key] = v
	}
}

func yamlText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fmt.Sprint(p)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + fmt.Sprint(x[k])
		}
		return strings.Join(parts, ",")
	default:
		return fmt.Sprint(x)
	}
}
