// grafana-standin: a stand-in for Grafana's server in the tests' Grafana pod. It is NOT Grafana and
// contains none of it. It answers the endpoints the chart and the dashboard sidecar use, from the
// files the chart provisions:
//
//	GET  /api/health                                 200 {"database":"ok",...} when the provisioning
//	                                                 files parse, else 503 with the problems
//	GET  /healthz                                    200 "Ok" while the server runs (Grafana's liveness)
//	POST /api/admin/provisioning/dashboards/reload   (admin basic auth) re-reads the dashboard folders
//	GET  /api/search                                 (admin basic auth) the dashboards found, by title
//	GET  /api/datasources                            (admin basic auth) the provisioned data sources
//	                                                 (name, type, url; secrets only as "set"/"unset")
//
// Settings as Grafana reads them: GF_PATHS_PROVISIONING (default /etc/grafana/provisioning),
// GF_SECURITY_ADMIN_USER / GF_SECURITY_ADMIN_PASSWORD, GF_SERVER_HTTP_PORT (default 3000).
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// version is set at build time (-ldflags -X main.version=...).
var version = "dev"

type datasource struct {
	Name           string            `yaml:"name" json:"name"`
	Type           string            `yaml:"type" json:"type"`
	URL            string            `yaml:"url" json:"url"`
	IsDefault      bool              `yaml:"isDefault" json:"isDefault"`
	SecureJSONData map[string]string `yaml:"secureJsonData" json:"-"`
	Secrets        map[string]string `yaml:"-" json:"secureJsonFields,omitempty"`
}

type provider struct {
	Name    string `yaml:"name"`
	Options struct {
		Path string `yaml:"path"`
	} `yaml:"options"`
}

type dashboard struct {
	Title string `json:"title"`
	UID   string `json:"uid"`
	File  string `json:"file"`
}

type state struct {
	mu          sync.Mutex
	problems    []string
	datasources []datasource
	folders     []string
	dashboards  []dashboard
}

var envRef = regexp.MustCompile(`^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$`)

func provisioningDir() string {
	if d := os.Getenv("GF_PATHS_PROVISIONING"); d != "" {
		return d
	}
	return "/etc/grafana/provisioning"
}

// yamlFiles lists the *.yaml and *.yml files of dir (none when it does not exist).
func yamlFiles(dir string) []string {
	var out []string
	for _, pattern := range []string{"*.yaml", "*.yml"} {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		out = append(out, m...)
	}
	sort.Strings(out)
	return out
}

// load reads the provisioned data sources and dashboard providers, then the dashboards.
func (s *state) load() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.problems, s.datasources, s.folders = nil, nil, nil
	base := provisioningDir()
	for _, f := range yamlFiles(filepath.Join(base, "datasources")) {
		var doc struct {
			Datasources []datasource `yaml:"datasources"`
		}
		if err := readYAML(f, &doc); err != nil {
			s.problems = append(s.problems, err.Error())
			continue
		}
		for _, d := range doc.Datasources {
			// Secrets are reported only as set or unset: a $VAR reference counts as set when the
			// variable is in the environment, as Grafana would expand it.
			d.Secrets = map[string]string{}
			for k, v := range d.SecureJSONData {
				state := "set"
				if m := envRef.FindStringSubmatch(v); m != nil && os.Getenv(m[1]) == "" {
					state = "unset (" + m[1] + ")"
				} else if v == "" {
					state = "unset"
				}
				d.Secrets[k] = state
			}
			s.datasources = append(s.datasources, d)
		}
	}
	for _, f := range yamlFiles(filepath.Join(base, "dashboards")) {
		var doc struct {
			Providers []provider `yaml:"providers"`
		}
		if err := readYAML(f, &doc); err != nil {
			s.problems = append(s.problems, err.Error())
			continue
		}
		for _, p := range doc.Providers {
			if p.Options.Path != "" {
				s.folders = append(s.folders, p.Options.Path)
			}
		}
	}
	s.scanDashboards()
}

// scanDashboards reads every *.json file below the providers' folders (the sidecar writes them).
func (s *state) scanDashboards() {
	s.dashboards = nil
	for _, dir := range s.folders {
		_ = filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() || !strings.HasSuffix(path, ".json") {
				return nil
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				s.problems = append(s.problems, err.Error())
				return nil
			}
			var d dashboard
			if err := json.Unmarshal(raw, &d); err != nil {
				s.problems = append(s.problems, fmt.Sprintf("%s: %v", path, err))
				return nil
			}
			d.File = path
			s.dashboards = append(s.dashboards, d)
			return nil
		})
	}
}

func readYAML(path string, into any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(raw, into); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// admin wraps h with Grafana's admin basic auth (the chart's admin Secret).
func admin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != os.Getenv("GF_SECURITY_ADMIN_USER") || p != os.Getenv("GF_SECURITY_ADMIN_PASSWORD") || u == "" {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "invalid username or password"})
			return
		}
		h(w, r)
	}
}

func main() {
	s := &state{}
	s.load()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("Ok"))
	})
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		body := map[string]any{"database": "ok", "version": version, "standin": true, "commit": "grafana-standin"}
		if len(s.problems) > 0 {
			body["database"] = "failing"
			body["problems"] = s.problems
			writeJSON(w, http.StatusServiceUnavailable, body)
			return
		}
		writeJSON(w, http.StatusOK, body)
	})
	mux.HandleFunc("POST /api/admin/provisioning/dashboards/reload", admin(func(w http.ResponseWriter, r *http.Request) {
		s.load()
		s.mu.Lock()
		n := len(s.dashboards)
		s.mu.Unlock()
		log.Printf("dashboards reloaded: %d", n)
		writeJSON(w, http.StatusOK, map[string]string{"message": "Dashboards config reloaded"})
	}))
	mux.HandleFunc("GET /api/search", admin(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		writeJSON(w, http.StatusOK, s.dashboards)
	}))
	mux.HandleFunc("GET /api/datasources", admin(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		writeJSON(w, http.StatusOK, s.datasources)
	}))
	// Grafana serves its own metrics on its HTTP port, and the chart asks Prometheus to scrape them
	// there (prometheus.io/port 3000, path /metrics): the stand-in answers in the text format with
	// what it knows, under a stand-in prefix, so the target is up and not mistaken for Grafana's.
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		fmt.Fprintf(w, "# HELP grafana_standin_info The stand-in server, not Grafana.\n# TYPE grafana_standin_info gauge\n")
		fmt.Fprintf(w, "grafana_standin_info{version=%q} 1\n", version)
		fmt.Fprintf(w, "# HELP grafana_standin_dashboards Dashboards read from the provisioned folders.\n# TYPE grafana_standin_dashboards gauge\n")
		fmt.Fprintf(w, "grafana_standin_dashboards %d\n", len(s.dashboards))
		fmt.Fprintf(w, "# HELP grafana_standin_datasources Data sources read from the provisioned files.\n# TYPE grafana_standin_datasources gauge\n")
		fmt.Fprintf(w, "grafana_standin_datasources %d\n", len(s.datasources))
	})
	port := os.Getenv("GF_SERVER_HTTP_PORT")
	if port == "" {
		port = "3000"
	}
	log.Printf("grafana-standin %s (not Grafana) on :%s; provisioning %s: %d data sources, %d dashboards, %d problems",
		version, port, provisioningDir(), len(s.datasources), len(s.dashboards), len(s.problems))
	log.Fatal(http.ListenAndServe(":"+port, mux))
}
