// oci-registry: go-containerregistry's in-memory registry (pkg/registry) with
// the OCI 1.1 referrers API (GET /v2/<name>/referrers/<digest>), on a loopback
// address, for bumpflow's tests. Optional Basic auth with one user whose name
// and password come from OCI_REGISTRY_USER / OCI_REGISTRY_PASSWORD (never on
// argv). Prints "oci-registry: listening on http://<addr>" once it accepts
// connections. Storage is memory: it is gone when the process ends.
package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

const ggcr = "github.com/google/go-containerregistry"

// ggcrVersion is the go-containerregistry version this binary was built with.
func ggcrVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == ggcr {
				return dep.Version
			}
		}
	}
	return "unknown"
}

// basicAuth answers 401 with a Basic challenge unless the request carries the one user's credentials.
func basicAuth(next http.Handler, user, password string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if ok && subtle.ConstantTimeCompare([]byte(u), []byte(user)) == 1 &&
			subtle.ConstantTimeCompare([]byte(p), []byte(password)) == 1 {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="oci-registry"`)
		w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`+"\n")
	})
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "loopback address:port to listen on (port 0: any free port)")
	verbose := flag.Bool("verbose", false, "log every request on stderr")
	version := flag.Bool("version", false, "print the go-containerregistry version and exit")
	flag.Parse()
	if *version {
		fmt.Printf("oci-registry (go-containerregistry %s, referrers API on)\n", ggcrVersion())
		return
	}
	host, _, err := net.SplitHostPort(*listen)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		log.Fatalf("oci-registry: expected -listen to be a loopback address:port, found %q", *listen)
	}
	user, password := os.Getenv("OCI_REGISTRY_USER"), os.Getenv("OCI_REGISTRY_PASSWORD")
	if (user == "") != (password == "") {
		log.Fatal("oci-registry: expected both OCI_REGISTRY_USER and OCI_REGISTRY_PASSWORD, or neither")
	}

	logger := log.New(io.Discard, "", 0)
	if *verbose {
		logger = log.New(os.Stderr, "oci-registry: ", log.LstdFlags)
	}
	handler := registry.New(registry.WithReferrersSupport(true), registry.Logger(logger))
	if user != "" {
		handler = basicAuth(handler, user, password)
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("oci-registry: %v", err)
	}
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()
	fmt.Printf("oci-registry: listening on http://%s\n", ln.Addr())
	if err := server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("oci-registry: %v", err)
	}
}
