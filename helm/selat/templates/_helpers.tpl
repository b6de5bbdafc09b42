{{/* Names and labels. */}}
{{- define "selat.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "selat.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: selat
{{- end -}}

{{/* The control plane's pod selector. */}}
{{- define "selat.controlPlane.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: control-plane
{{- end -}}

{{/* The probe agents' pod selector; with (dict "root" $ "site" $id) one site's only. */}}
{{- define "selat.probe.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: probe-agent
{{- with .site }}
selat.dev/site: {{ . }}
{{- end }}
{{- end -}}

{{- define "selat.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "selat.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{- define "selat.image" -}}
{{- printf "%s:%s" .image.repository (.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{/* config.sites, or the single default site when it is empty (values.yaml says so). */}}
{{- define "selat.sites" -}}
{{- if .Values.config.sites -}}
{{- toYaml .Values.config.sites -}}
{{- else -}}
dc1: { region: local, consul: { addresses: ["consul-server.consul.svc:8500"] } }
{{- end -}}
{{- end -}}

{{/* Cross-field checks the schema cannot express; each failure names the value. */}}
{{- define "selat.validate" -}}
{{- $sites := include "selat.sites" . | fromYaml -}}
{{- if and .Values.site (not (hasKey $sites .Values.site)) -}}
{{- fail (printf "site: %q is not a site of config.sites (%s)" .Values.site (keys $sites | sortAlpha | join ", ")) -}}
{{- end -}}
{{- range $id, $_ := .Values.consulSecrets -}}
{{- if not (hasKey $sites $id) -}}
{{- fail (printf "consulSecrets.%s: not a site of config.sites" $id) -}}
{{- end -}}
{{- end -}}
{{- range $id, $_ := .Values.probeAgents.sites -}}
{{- if not (hasKey $sites $id) -}}
{{- fail (printf "probeAgents.sites.%s: not a site of config.sites" $id) -}}
{{- end -}}
{{- end -}}
{{- if eq (int .Values.controlPlane.ports.xds) (int .Values.controlPlane.ports.admin) -}}
{{- fail "controlPlane.ports.admin: same port as controlPlane.ports.xds" -}}
{{- end -}}
{{- end -}}

{{/* Whether a site's Consul token or TLS comes from a Secret. */}}
{{/* The control plane's own tokens (apiToken, adminToken) as (dict "root" $ "name" "api"), mounted beside the sites'. */}}
{{- define "selat.cpTokens" -}}
{{- $cp := .Values.controlPlane -}}
{{- range $name, $ref := dict "api" $cp.apiToken "admin" $cp.adminToken -}}
{{- if include "selat.hasToken" (dict "token" $ref) }}
{{ $name }}: {{ $ref.existingSecret | default (printf "%s-%s-token" (include "selat.fullname" $) $name) }}|{{ $ref.key | default "token" }}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "selat.hasToken" -}}
{{- $t := .token | default dict -}}{{- if or $t.existingSecret $t.value -}}true{{- end -}}
{{- end -}}

{{/*
The control plane's selat.yaml, in the control plane's own format (ConfigLoader): config.sites (a map by id) becomes
the list sites[] in id order; each site's secrets become tokenFile and tls.*File paths under secretsMountPath; ports
come from controlPlane.
*/}}
{{- define "selat.configYaml" -}}
{{- $root := . -}}
{{- $mount := .Values.controlPlane.secretsMountPath -}}
{{- $configured := include "selat.sites" . | fromYaml -}}
{{- $sites := list -}}
{{- range $id := keys $configured | sortAlpha -}}
{{- $site := index $configured $id | default dict -}}
{{- $consul := $site.consul | default dict -}}
{{- $secrets := index $root.Values.consulSecrets $id | default dict -}}
{{- if include "selat.hasToken" $secrets -}}
{{- $_ := set $consul "tokenFile" (printf "%s/%s/token" $mount $id) -}}
{{- end -}}
{{- with $secrets.tls -}}
{{- if .existingSecret -}}
{{- $tls := $consul.tls | default dict -}}
{{- $_ := set $tls "caFile" (printf "%s/%s/ca.crt" $mount $id) -}}
{{- if .certKey -}}
{{- $_ := set $tls "certFile" (printf "%s/%s/tls.crt" $mount $id) -}}
{{- $_ := set $tls "keyFile" (printf "%s/%s/tls.key" $mount $id) -}}
{{- end -}}
{{- $_ := set $consul "tls" $tls -}}
{{- end -}}
{{- end -}}
{{- $_ := set $site "consul" $consul -}}
{{- $sites = append $sites (merge (dict "id" $id) $site) -}}
{{- end -}}
{{- $config := dict "sites" $sites -}}
{{- with .Values.config.links }}{{ $_ := set $config "links" . }}{{ end -}}
{{- with .Values.config.routing }}{{ $_ := set $config "routing" . }}{{ end -}}
{{- with .Values.config.latency }}{{ $_ := set $config "latency" . }}{{ end -}}
{{- if include "selat.hasToken" (dict "token" .Values.controlPlane.adminToken) -}}
{{- $_ := set $config "admin" (dict "tokenFile" (printf "%s/_control-plane/admin-token" $mount)) -}}
{{- end -}}
{{- $address := .Values.controlPlane.listenAddress -}}
{{- $_ := set $config "ports" (dict
      "xds" (dict "address" $address "port" (int .Values.controlPlane.ports.xds))
      "admin" (dict "address" $address "port" (int .Values.controlPlane.ports.admin))) -}}
{{- toYaml $config -}}
{{- end -}}

{{/* A probe agent's probe.yaml, in the agent's own format (ProbeAgentConfig.Draft); (dict "root" $ "id" $id "agent" $agent). */}}
{{- define "selat.probeYaml" -}}
{{- $p := .root.Values.probeAgents -}}
{{- $consul := dict "address" .agent.consul "register" true "discover" (.agent.discover | default (list .agent.consul)) -}}
{{- if include "selat.hasToken" (dict "token" .agent.consulToken) -}}
{{- $_ := set $consul "tokenFile" "/etc/selat-probe/secrets/token" -}}
{{- end -}}
{{- $probe := dict "site" .id "bindAddress" "0.0.0.0" "probePort" (int $p.ports.probe) "grpcPort" (int $p.ports.grpc)
      "metricsPort" (int $p.ports.metrics) "intervalMillis" (int $p.intervalMillis) "consul" $consul -}}
{{- with .agent.paths }}{{ $_ := set $probe "paths" . }}{{ end -}}
{{- toYaml $probe -}}
{{- end -}}
