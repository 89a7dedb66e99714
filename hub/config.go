package hub

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"

	"fieldsync/ident"
	"fieldsync/privfile"
	"fieldsync/replica"
)

// Files in a hub's directory.
const (
	configFile = "hub.json"
	dbFile     = "hub.db"
	certFile   = "cert.pem"
	keyFile    = "key.pem"
)

// config is what `hub init` decides once: the hub's name and address, its
// site id, and the deployment key. The file is readable by its owner only:
// the key is a secret.
type config struct {
	Name string `json:"name"`
	URL  string `json:"url"`
	Site string `json:"site"`
	Key  string `json:"key"`
	// Zone is the IANA time zone of the dates the hub shows ("": DefaultZone).
	Zone string `json:"zone,omitempty"`
	// MonitoringLine is the county's 防止返贫监测 income line, in yuan a
	// month: a part-time welfare worker whose other income in a month
	// exceeds it is 应退出 (nil: DefaultMonitoringLine).
	MonitoringLine *float64 `json:"monitoring_line,omitempty"`
	// WorkshopRecognition is how many 脱贫人口 a 就业帮扶车间 must employ
	// for the county to recognise it (nil: DefaultWorkshopRecognition).
	WorkshopRecognition *int `json:"workshop_recognition,omitempty"`
	// Serve holds settings of `hub serve`, keyed by its flag names; the
	// command reads them (ServeSection), the hub itself does not.
	Serve json.RawMessage `json:"serve,omitempty"`

	site replica.SiteID
	key  ident.Key
}

func readConfig(dir string) (*config, error) {
	b, err := os.ReadFile(filepath.Join(dir, configFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a hub directory (run `hub init` first)", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("read hub config: %w", err)
	}
	var c config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("read hub config %s: %w", configFile, err)
	}
	var s uint64
	if _, err := fmt.Sscanf(c.Site, "%x", &s); err != nil || s == 0 {
		return nil, fmt.Errorf("read hub config: bad site id %q", c.Site)
	}
	c.site = replica.SiteID(s)
	if l := c.MonitoringLine; l != nil && (*l <= 0 || *l > maxMonitoringLine || math.IsNaN(*l)) {
		return nil, fmt.Errorf("read hub config %s: monitoring_line %v: want yuan a month, above 0 and at most %d",
			configFile, *l, maxMonitoringLine)
	}
	if n := c.WorkshopRecognition; n != nil && (*n < 1 || *n > maxWorkshopRecognition) {
		return nil, fmt.Errorf("read hub config %s: workshop_recognition %d: want a number of people from 1 to %d",
			configFile, *n, maxWorkshopRecognition)
	}
	if c.key, err = hex.DecodeString(c.Key); err != nil || len(c.key) == 0 {
		return nil, errors.New("read hub config: bad deployment key")
	}
	return &c, nil
}

// ServeSection returns the "serve" section of the hub.json in dir, as
// written (nil when there is none), and the file's path for messages.
func ServeSection(dir string) (json.RawMessage, string, error) {
	c, err := readConfig(dir)
	if err != nil {
		return nil, "", err
	}
	return c.Serve, filepath.Join(dir, configFile), nil
}

// The county's programme settings when hub.json sets none. Each county
// sets its own: the monitoring line follows the region's 防止返贫监测范围
// of the year, the recognition threshold the county's rules.
const (
	// DefaultMonitoringLine is 7,800 yuan a year a head, by month.
	DefaultMonitoringLine = 650.0
	// DefaultWorkshopRecognition is five 脱贫人口 employed.
	DefaultWorkshopRecognition = 5

	maxMonitoringLine      = 100000
	maxWorkshopRecognition = 10000
)

// MonitoringLine is the county's monitoring line, in yuan a month (hub.json
// "monitoring_line", else DefaultMonitoringLine): a part-time welfare
// worker whose other income in a month exceeds it is 应退出.
func (h *Hub) MonitoringLine() float64 {
	if l := h.cfg.MonitoringLine; l != nil {
		return *l
	}
	return DefaultMonitoringLine
}

// WorkshopRecognition is how many 脱贫人口 a workshop must employ to be
// recognised (hub.json "workshop_recognition", else
// DefaultWorkshopRecognition).
func (h *Hub) WorkshopRecognition() int {
	if n := h.cfg.WorkshopRecognition; n != nil {
		return *n
	}
	return DefaultWorkshopRecognition
}

func checkHubURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("hub URL %q: want http(s)://host:port", raw)
	}
	return nil
}

// Init makes a new hub directory: the configuration (name, URL, a new site id
// and deployment key) and, when url is https, a self-signed certificate that
// stations will pin. It refuses a directory that already holds a hub.
func Init(dir, name, hubURL string) error {
	if name == "" {
		return errors.New("hub init: no name")
	}
	if err := checkHubURL(hubURL); err != nil {
		return fmt.Errorf("hub init: %w", err)
	}
	if err := privfile.Mkdir(dir); err != nil {
		return fmt.Errorf("hub init: %w", err)
	}
	path := filepath.Join(dir, configFile)
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("hub init: %s already holds a hub", dir)
	}
	site, err := replica.NewSiteID()
	if err != nil {
		return fmt.Errorf("hub init: %w", err)
	}
	key, err := ident.NewKey()
	if err != nil {
		return fmt.Errorf("hub init: %w", err)
	}
	c := config{Name: name, URL: hubURL, Site: site.String(), Key: hex.EncodeToString(key)}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("hub init: %w", err)
	}
	if err := privfile.WriteFile(path, append(b, '\n')); err != nil {
		return fmt.Errorf("hub init: %w", err)
	}
	if u, _ := url.Parse(hubURL); u.Scheme == "https" {
		if _, err := SelfSignedCert(dir, u.Hostname()); err != nil {
			return fmt.Errorf("hub init: %w", err)
		}
	}
	return nil
}
