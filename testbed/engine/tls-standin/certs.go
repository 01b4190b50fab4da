// SelfSignedCert, CertRequest and LocallySignedCert of the pulumi-resource-tls stand-in (see main.go),
// on Go's crypto/x509, with @pulumi/tls 5.6.1's property names. Private key PEMs may be PKCS#1
// ("RSA PRIVATE KEY"), SEC1 ("EC PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"), as PrivateKey emits them.
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// allowedUses names (as the tls provider spells them) -> key usage / extended key usage.
var keyUsages = map[string]x509.KeyUsage{
	"digital_signature":  x509.KeyUsageDigitalSignature,
	"content_commitment": x509.KeyUsageContentCommitment,
	"key_encipherment":   x509.KeyUsageKeyEncipherment,
	"data_encipherment":  x509.KeyUsageDataEncipherment,
	"key_agreement":      x509.KeyUsageKeyAgreement,
	"cert_signing":       x509.KeyUsageCertSign,
	"crl_signing":        x509.KeyUsageCRLSign,
	"encipher_only":      x509.KeyUsageEncipherOnly,
	"decipher_only":      x509.KeyUsageDecipherOnly,
}

var extKeyUsages = map[string]x509.ExtKeyUsage{
	"any_extended":                      x509.ExtKeyUsageAny,
	"server_auth":                       x509.ExtKeyUsageServerAuth,
	"client_auth":                       x509.ExtKeyUsageClientAuth,
	"code_signing":                      x509.ExtKeyUsageCodeSigning,
	"email_protection":                  x509.ExtKeyUsageEmailProtection,
	"ipsec_end_system":                  x509.ExtKeyUsageIPSECEndSystem,
	"ipsec_tunnel":                      x509.ExtKeyUsageIPSECTunnel,
	"ipsec_user":                        x509.ExtKeyUsageIPSECUser,
	"timestamping":                      x509.ExtKeyUsageTimeStamping,
	"ocsp_signing":                      x509.ExtKeyUsageOCSPSigning,
	"microsoft_server_gated_crypto":     x509.ExtKeyUsageMicrosoftServerGatedCrypto,
	"netscape_server_gated_crypto":      x509.ExtKeyUsageNetscapeServerGatedCrypto,
	"microsoft_commercial_code_signing": x509.ExtKeyUsageMicrosoftCommercialCodeSigning,
	"microsoft_kernel_code_signing":     x509.ExtKeyUsageMicrosoftKernelCodeSigning,
}

// ---------------------------------------------------------------- checks

func checkUses(news resource.PropertyMap) []*pulumirpc.CheckFailure {
	var failures []*pulumirpc.CheckFailure
	for _, u := range strs(news, "allowedUses") {
		_, ku := keyUsages[u]
		_, eku := extKeyUsages[u]
		if !ku && !eku {
			failures = append(failures, &pulumirpc.CheckFailure{Property: "allowedUses", Reason: fmt.Sprintf("unknown allowed use %q", u)})
		}
	}
	return failures
}

func checkNames(news resource.PropertyMap) []*pulumirpc.CheckFailure {
	var failures []*pulumirpc.CheckFailure
	for _, ip := range strs(news, "ipAddresses") {
		if net.ParseIP(ip) == nil {
			failures = append(failures, &pulumirpc.CheckFailure{Property: "ipAddresses", Reason: fmt.Sprintf("invalid IP address %q", ip)})
		}
	}
	for _, u := range strs(news, "uris") {
		if _, err := url.Parse(u); err != nil {
			failures = append(failures, &pulumirpc.CheckFailure{Property: "uris", Reason: fmt.Sprintf("invalid URI %q: %v", u, err)})
		}
	}
	return failures
}

func checkValidity(news resource.PropertyMap) []*pulumirpc.CheckFailure {
	setDefault(news, "earlyRenewalHours", resource.NewNumberProperty(0))
	setDefault(news, "isCaCertificate", resource.NewBoolProperty(false))
	setDefault(news, "maxPathLength", resource.NewNumberProperty(0))
	setDefault(news, "setSubjectKeyId", resource.NewBoolProperty(false))
	var failures []*pulumirpc.CheckFailure
	if v := plain(news["validityPeriodHours"]); v.IsNumber() && v.NumberValue() <= 0 {
		failures = append(failures, &pulumirpc.CheckFailure{Property: "validityPeriodHours", Reason: "validityPeriodHours must be > 0"})
	}
	if v := plain(news["earlyRenewalHours"]); v.IsNumber() && v.NumberValue() < 0 {
		failures = append(failures, &pulumirpc.CheckFailure{Property: "earlyRenewalHours", Reason: "earlyRenewalHours must be >= 0"})
	}
	return append(failures, checkUses(news)...)
}

func checkSelfSignedCert(news resource.PropertyMap) []*pulumirpc.CheckFailure {
	failures := required(news, "privateKeyPem", "validityPeriodHours", "allowedUses")
	setDefault(news, "setAuthorityKeyId", resource.NewBoolProperty(false))
	failures = append(failures, checkValidity(news)...)
	return append(failures, checkNames(news)...)
}

func checkCertRequest(news resource.PropertyMap) []*pulumirpc.CheckFailure {
	return append(required(news, "privateKeyPem"), checkNames(news)...)
}

func checkLocallySignedCert(news resource.PropertyMap) []*pulumirpc.CheckFailure {
	failures := required(news, "certRequestPem", "caPrivateKeyPem", "caCertPem", "validityPeriodHours", "allowedUses")
	return append(failures, checkValidity(news)...)
}

// ---------------------------------------------------------------- PEM and key helpers

func pemBlock(s, what string, types ...string) (*pem.Block, error) {
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return nil, fmt.Errorf("%s: no PEM data", what)
	}
	for _, t := range types {
		if b.Type == t {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%s: PEM type %q, want one of %v", what, b.Type, types)
}

func parsePrivateKey(s, what string) (crypto.Signer, string, error) {
	b, err := pemBlock(s, what, "RSA PRIVATE KEY", "EC PRIVATE KEY", "PRIVATE KEY")
	if err != nil {
		return nil, "", err
	}
	var key any
	switch b.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(b.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	}
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", what, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return k, "RSA", nil
	case *ecdsa.PrivateKey:
		return k, "ECDSA", nil
	case ed25519.PrivateKey:
		return k, "ED25519", nil
	}
	return nil, "", fmt.Errorf("%s: unsupported key type %T", what, key)
}

func algorithmOf(pub any) string {
	switch pub.(type) {
	case *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "ECDSA"
	case ed25519.PublicKey:
		return "ED25519"
	}
	return ""
}

// subjectKeyID: SHA-1 of the subjectPublicKey bit string (RFC 5280 4.2.1.2, method 1).
func subjectKeyID(pub any) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, err
	}
	sum := sha1.Sum(spki.PublicKey.Bytes)
	return sum[:], nil
}

func subjectOf(m resource.PropertyMap) pkix.Name {
	var n pkix.Name
	v := plain(m["subject"])
	if !v.IsObject() {
		return n
	}
	s := v.ObjectValue()
	one := func(k string) []string {
		if x := str(s, k, ""); x != "" {
			return []string{x}
		}
		return nil
	}
	n.CommonName = str(s, "commonName", "")
	n.SerialNumber = str(s, "serialNumber", "")
	n.Organization = one("organization")
	n.OrganizationalUnit = one("organizationalUnit")
	n.Country = one("country")
	n.Province = one("province")
	n.Locality = one("locality")
	n.PostalCode = one("postalCode")
	n.StreetAddress = strs(s, "streetAddresses")
	if e := str(s, "emailAddress", ""); e != "" {
		// emailAddress (1.2.840.113549.1.9.1) has no pkix.Name field.
		n.ExtraNames = append(n.ExtraNames, pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: e})
	}
	return n
}

func sans(m resource.PropertyMap) ([]string, []net.IP, []*url.URL, error) {
	var ips []net.IP
	for _, s := range strs(m, "ipAddresses") {
		ip := net.ParseIP(s)
		if ip == nil {
			return nil, nil, nil, fmt.Errorf("invalid IP address %q", s)
		}
		ips = append(ips, ip)
	}
	var uris []*url.URL
	for _, s := range strs(m, "uris") {
		u, err := url.Parse(s)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("invalid URI %q: %w", s, err)
		}
		uris = append(uris, u)
	}
	return strs(m, "dnsNames"), ips, uris, nil
}

// ---------------------------------------------------------------- certificates

// template: serial, validity, usages and CA flags from the inputs (names/subject set by the caller).
func template(inputs resource.PropertyMap, now time.Time) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, err
	}
	hours := num(inputs, "validityPeriodHours", 0)
	t := &x509.Certificate{
		SerialNumber:          serial,
		NotBefore:             now,
		NotAfter:              now.Add(time.Duration(hours * float64(time.Hour))),
		BasicConstraintsValid: true,
		MaxPathLen:            -1,
	}
	for _, u := range strs(inputs, "allowedUses") {
		if ku, ok := keyUsages[u]; ok {
			t.KeyUsage |= ku
		} else if eku, ok := extKeyUsages[u]; ok {
			t.ExtKeyUsage = append(t.ExtKeyUsage, eku)
		} else {
			return nil, fmt.Errorf("unknown allowed use %q", u)
		}
	}
	if boolean(inputs, "isCaCertificate") {
		t.IsCA = true
		if n := int(num(inputs, "maxPathLength", 0)); n > 0 {
			t.MaxPathLen = n
		}
	}
	return t, nil
}

// certOutputs: inputs + certPem, validity times and readyForRenewal; id = serial number (hex).
func certOutputs(inputs resource.PropertyMap, der []byte, t *x509.Certificate, now time.Time) (resource.PropertyMap, string) {
	out := inputs.Copy()
	out["certPem"] = resource.NewStringProperty(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	out["validityStartTime"] = resource.NewStringProperty(t.NotBefore.UTC().Format(time.RFC3339))
	out["validityEndTime"] = resource.NewStringProperty(t.NotAfter.UTC().Format(time.RFC3339))
	out["readyForRenewal"] = resource.NewBoolProperty(false)
	out["readyForRenewal"] = resource.NewBoolProperty(readyForRenewal(out, now))
	return out, hex.EncodeToString(t.SerialNumber.Bytes())
}

// readyForRenewal: a certificate state whose time is up (now >= validityEndTime - earlyRenewalHours).
func readyForRenewal(state resource.PropertyMap, now time.Time) bool {
	end, err := time.Parse(time.RFC3339, str(state, "validityEndTime", ""))
	if err != nil {
		return false
	}
	early := time.Duration(num(state, "earlyRenewalHours", 0) * float64(time.Hour))
	return !now.Before(end.Add(-early))
}

func createSelfSignedCert(inputs resource.PropertyMap) (resource.PropertyMap, string, error) {
	key, alg, err := parsePrivateKey(str(inputs, "privateKeyPem", ""), "privateKeyPem")
	if err != nil {
		return nil, "", err
	}
	now := time.Now().UTC().Truncate(time.Second)
	t, err := template(inputs, now)
	if err != nil {
		return nil, "", err
	}
	t.Subject = subjectOf(inputs)
	if t.DNSNames, t.IPAddresses, t.URIs, err = sans(inputs); err != nil {
		return nil, "", err
	}
	if t.IsCA || boolean(inputs, "setSubjectKeyId") || boolean(inputs, "setAuthorityKeyId") {
		if t.SubjectKeyId, err = subjectKeyID(key.Public()); err != nil {
			return nil, "", err
		}
	}
	if boolean(inputs, "setAuthorityKeyId") {
		t.AuthorityKeyId = t.SubjectKeyId // self-signed: its own key
	}
	der, err := x509.CreateCertificate(rand.Reader, t, t, key.Public(), key)
	if err != nil {
		return nil, "", err
	}
	out, id := certOutputs(inputs, der, t, now)
	out["keyAlgorithm"] = resource.NewStringProperty(alg)
	return out, id, nil
}

func createCertRequest(inputs resource.PropertyMap) (resource.PropertyMap, string, error) {
	key, alg, err := parsePrivateKey(str(inputs, "privateKeyPem", ""), "privateKeyPem")
	if err != nil {
		return nil, "", err
	}
	req := &x509.CertificateRequest{Subject: subjectOf(inputs)}
	if req.DNSNames, req.IPAddresses, req.URIs, err = sans(inputs); err != nil {
		return nil, "", err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, req, key)
	if err != nil {
		return nil, "", err
	}
	out := inputs.Copy()
	out["certRequestPem"] = resource.NewStringProperty(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})))
	out["keyAlgorithm"] = resource.NewStringProperty(alg)
	sum := sha1.Sum(der)
	return out, hex.EncodeToString(sum[:]), nil
}

func createLocallySignedCert(inputs resource.PropertyMap) (resource.PropertyMap, string, error) {
	b, err := pemBlock(str(inputs, "certRequestPem", ""), "certRequestPem", "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST")
	if err != nil {
		return nil, "", err
	}
	csr, err := x509.ParseCertificateRequest(b.Bytes)
	if err != nil {
		return nil, "", fmt.Errorf("certRequestPem: %w", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, "", fmt.Errorf("certRequestPem: bad signature: %w", err)
	}
	if b, err = pemBlock(str(inputs, "caCertPem", ""), "caCertPem", "CERTIFICATE"); err != nil {
		return nil, "", err
	}
	ca, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return nil, "", fmt.Errorf("caCertPem: %w", err)
	}
	caKey, caAlg, err := parsePrivateKey(str(inputs, "caPrivateKeyPem", ""), "caPrivateKeyPem")
	if err != nil {
		return nil, "", err
	}
	now := time.Now().UTC().Truncate(time.Second)
	t, err := template(inputs, now)
	if err != nil {
		return nil, "", err
	}
	t.Subject = csr.Subject
	t.DNSNames, t.IPAddresses, t.URIs, t.EmailAddresses = csr.DNSNames, csr.IPAddresses, csr.URIs, csr.EmailAddresses
	if t.IsCA || boolean(inputs, "setSubjectKeyId") {
		if t.SubjectKeyId, err = subjectKeyID(csr.PublicKey); err != nil {
			return nil, "", err
		}
	}
	// AuthorityKeyId is taken from the CA's SubjectKeyId by crypto/x509 when the CA has one.
	der, err := x509.CreateCertificate(rand.Reader, t, ca, csr.PublicKey, caKey)
	if err != nil {
		return nil, "", fmt.Errorf("signing with the CA (does caPrivateKeyPem belong to caCertPem?): %w", err)
	}
	out, id := certOutputs(inputs, der, t, now)
	out["caKeyAlgorithm"] = resource.NewStringProperty(caAlg)
	return out, id, nil
}

// ---------------------------------------------------------------- schema

func props(spec string) map[string]any {
	m := map[string]any{}
	for _, f := range strings.Fields(spec) { // name:type, type = string|integer|boolean|strings|secret|<$ref>
		name, typ, _ := strings.Cut(f, ":")
		switch typ {
		case "strings":
			m[name] = map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
		case "secret":
			m[name] = map[string]any{"type": "string", "secret": true}
		case "string", "integer", "boolean":
			m[name] = map[string]any{"type": typ}
		default:
			m[name] = map[string]any{"$ref": "#/types/" + typ}
		}
	}
	return m
}

func merge(a, b map[string]any) map[string]any {
	m := map[string]any{}
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

func resourceSchema(inputs, outputs string, requiredInputs ...string) map[string]any {
	in := props(inputs)
	all := merge(in, props(outputs))
	names := make([]string, 0, len(all))
	for k := range all {
		names = append(names, k)
	}
	sort.Strings(names)
	return map[string]any{"inputProperties": in, "requiredInputs": requiredInputs, "properties": all, "required": names}
}

const subjectSpec = "commonName:string country:string emailAddress:string locality:string organization:string " +
	"organizationalUnit:string postalCode:string province:string serialNumber:string streetAddresses:strings"

var schemaTypes = map[string]any{
	"tls:index/SelfSignedCertSubject:SelfSignedCertSubject": map[string]any{"type": "object", "properties": props(subjectSpec)},
	"tls:index/CertRequestSubject:CertRequestSubject":       map[string]any{"type": "object", "properties": props(subjectSpec)},
}

const certValiditySpec = "validityPeriodHours:integer earlyRenewalHours:integer allowedUses:strings isCaCertificate:boolean maxPathLength:integer setSubjectKeyId:boolean"
const certOutputSpec = "certPem:string validityStartTime:string validityEndTime:string readyForRenewal:boolean"

var (
	privateKeySchema = resourceSchema("algorithm:string rsaBits:integer ecdsaCurve:string",
		"privateKeyPem:secret privateKeyPemPkcs8:secret privateKeyOpenssh:secret publicKeyPem:string publicKeyOpenssh:string "+
			"publicKeyFingerprintMd5:string publicKeyFingerprintSha256:string", "algorithm")
	selfSignedCertSchema = resourceSchema("privateKeyPem:secret subject:tls:index/SelfSignedCertSubject:SelfSignedCertSubject "+
		"dnsNames:strings ipAddresses:strings uris:strings setAuthorityKeyId:boolean "+certValiditySpec,
		certOutputSpec+" keyAlgorithm:string", "allowedUses", "validityPeriodHours")
	certRequestSchema = resourceSchema("privateKeyPem:secret subject:tls:index/CertRequestSubject:CertRequestSubject "+
		"dnsNames:strings ipAddresses:strings uris:strings", "certRequestPem:string keyAlgorithm:string")
	locallySignedCertSchema = resourceSchema("certRequestPem:string caPrivateKeyPem:secret caCertPem:string "+certValiditySpec,
		certOutputSpec+" caKeyAlgorithm:string", "allowedUses", "caCertPem", "certRequestPem", "validityPeriodHours")
)
