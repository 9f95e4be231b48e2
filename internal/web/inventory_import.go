package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/inventory"
	"github.com/vigil-med/vigil/internal/store"
)

// The import in the web UI: upload → preview (a dry run, with the columns adjustable) → confirm. The
// upload waits in the database between the steps (store.InventoryUpload), so any server of a cluster
// can show the preview and apply it.

func (s *Server) importRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /import/inventory", s.page(domain.PermInventory, s.importForm))
	mux.HandleFunc("POST /import/inventory", s.page(domain.PermInventory, s.importUpload))
	mux.HandleFunc("GET /import/inventory/{id}", s.page(domain.PermInventory, s.importPreview))
	mux.HandleFunc("POST /import/inventory/{id}", s.page(domain.PermInventory, s.importConfirm))
}

type importFormView struct {
	Imports []store.InventoryImport
	Error   string
	Fields  []inventory.FieldInfo
}

func (s *Server) importForm(c *Ctx) error {
	return s.renderImportForm(c, http.StatusOK, "")
}

func (s *Server) renderImportForm(c *Ctx, status int, msg string) error {
	imps, err := c.Scope.InventoryImports(c.R.Context(), 20)
	if err != nil {
		return err
	}
	return c.RenderStatus(status, "inventory/import", "Import an inventory", importFormView{Imports: imps, Error: msg, Fields: inventory.Fields})
}

func (s *Server) importUpload(c *Ctx) error {
	f, hdr, err := c.R.FormFile("file")
	if err != nil {
		return s.renderImportForm(c, http.StatusUnprocessableEntity, "Choose a CSV or XLSX file to upload.")
	}
	defer f.Close()
	data, err := inventory.ReadAll(f, inventory.DefaultLimits)
	if err != nil {
		if domain.ErrorCode(err) == domain.ETooLarge {
			return s.renderImportForm(c, http.StatusRequestEntityTooLarge, domain.ErrorMessage(err))
		}
		return err
	}
	if len(data) == 0 {
		return s.renderImportForm(c, http.StatusUnprocessableEntity, "The file is empty.")
	}
	sum := sha256.Sum256(data)
	up := store.InventoryUpload{UserID: c.P.User.ID, FileName: filepath.Base(hdr.Filename), SHA256: hex.EncodeToString(sum[:]), Content: data}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.SaveInventoryUpload(c.R.Context(), &up) }); err != nil {
		return err
	}
	q := url.Values{}
	if m := c.Form("mapping"); m != "" {
		q.Set("mapping", m)
	}
	if sh := c.Form("sheet"); sh != "" {
		q.Set("sheet", sh)
	}
	target := "/import/inventory/" + strconv.FormatInt(up.ID, 10)
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	return c.Redirect(target, "", "")
}

type importPreviewView struct {
	UploadID int64
	FileName string
	Report   *inventory.Report
	Mapping  string
	Sheet    string
	Error    string
	Fields   []inventory.FieldInfo
	First    []inventory.Change
	CanApply bool
}

// previewMapping is the mapping of the preview: per-column choices (col_A=asset_tag) from the
// mapping form, else the mapping parameter.
func previewMapping(q url.Values) string {
	var parts []string
	for k, v := range q {
		if letter, ok := strings.CutPrefix(k, "col_"); ok && len(v) > 0 {
			f := v[0]
			if f == "" {
				f = "-"
			}
			parts = append(parts, letter+"="+f)
		}
	}
	if len(parts) == 0 {
		return q.Get("mapping")
	}
	// Stable order: A, B, …, Z, AA, ….
	for i := 1; i < len(parts); i++ {
		for j := i; j > 0 && letterLess(parts[j], parts[j-1]); j-- {
			parts[j], parts[j-1] = parts[j-1], parts[j]
		}
	}
	return strings.Join(parts, ",")
}

func letterLess(a, b string) bool {
	a, _, _ = strings.Cut(a, "=")
	b, _, _ = strings.Cut(b, "=")
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func (s *Server) importPreview(c *Ctx) error {
	q := c.R.URL.Query()
	return s.renderPreview(c, http.StatusOK, previewMapping(q), q.Get("sheet"), "")
}

// renderPreview runs the dry run of an upload and shows it.
func (s *Server) renderPreview(c *Ctx, status int, mapping, sheet, msg string) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	up, err := c.Scope.InventoryUpload(c.R.Context(), id)
	if err != nil {
		return err
	}
	v := importPreviewView{UploadID: id, FileName: up.FileName, Mapping: mapping, Sheet: sheet, Error: msg, Fields: inventory.Fields}
	opts := inventory.Options{FileName: up.FileName, Sheet: sheet, DryRun: true, Today: c.today()}
	opts.Mapping, err = inventory.ParseMapping(mapping)
	if err != nil {
		v.Error = domain.ErrorMessage(err)
		return c.RenderStatus(http.StatusUnprocessableEntity, "inventory/import_preview", "Import preview", v)
	}
	rep, err := inventory.Import(c.R.Context(), c.Scope, up.Content, opts)
	v.Report = rep
	switch {
	case errors.Is(err, inventory.ErrRejected), err == nil:
	case domain.ErrorCode(err) == domain.EInvalid || domain.ErrorCode(err) == domain.ETooLarge:
		v.Error = domain.ErrorMessage(err)
		status = http.StatusUnprocessableEntity
	default:
		return err
	}
	if rep != nil {
		v.First = rep.Changes[:min(20, len(rep.Changes))]
		v.CanApply = v.Error == "" && len(rep.Changes) > 0
	}
	return c.RenderStatus(status, "inventory/import_preview", "Import preview", v)
}

func (s *Server) importConfirm(c *Ctx) error {
	id, err := c.PathInt("id")
	if err != nil {
		return err
	}
	up, err := c.Scope.InventoryUpload(c.R.Context(), id)
	if err != nil {
		return err
	}
	mapping, sheet := c.Form("mapping"), c.Form("sheet")
	opts := inventory.Options{FileName: up.FileName, Sheet: sheet, SkipRejected: c.FormBool("skip_rejected"), Today: c.today()}
	if opts.Mapping, err = inventory.ParseMapping(mapping); err != nil {
		return s.renderPreview(c, http.StatusUnprocessableEntity, mapping, sheet, domain.ErrorMessage(err))
	}
	rep, err := inventory.Import(c.R.Context(), c.Scope, up.Content, opts)
	if err != nil {
		if errors.Is(err, inventory.ErrRejected) || domain.ErrorCode(err) == domain.EInvalid {
			return s.renderPreview(c, http.StatusUnprocessableEntity, mapping, sheet, domain.ErrorMessage(err))
		}
		return err
	}
	if err := c.Scope.Write(c.R.Context(), func(tx *store.Tx) error { return tx.DeleteInventoryUpload(c.R.Context(), id) }); err != nil {
		return err
	}
	return c.Redirect("/inventory/assets", "ok", fmt.Sprintf("Imported %s: %s.", up.FileName, rep.Summary()))
}
