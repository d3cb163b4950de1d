# Rewrites one Schema/*.proto file for protoc-c 1.4 (Debian 12's protobuf-c-compiler) without
# changing any message or its encoding:
#  - proto3 `optional T name = N;` becomes `oneof _name { T name = N; }`, the synthetic oneof
#    protoc itself makes for it (protoc-c 1.4 refuses proto3 optional; presence is kept);
#  - `service` blocks are dropped: protobuf-c's RPC stubs are not our transport, and C cannot
#    take their member names (CitizenService.Register becomes a field called `register`).
#    Method paths come from methods_header.awk instead.
# Line numbers stay those of Schema/. mawk and gawk alike; usage: awk -f protoc_c_schema.awk IN.proto > OUT.proto
function strip_comment(s) { sub(/\/\/.*/, "", s); return s }

# Brace depth of the service block being skipped; it ends where its braces balance.
function track(s,    opens) {
    s = strip_comment(s)
    opens = gsub(/\{/, "{", s)
    depth += opens - gsub(/\}/, "}", s)
    if (opens > 0) seen_open = 1
    if (seen_open && depth <= 0) skipping = 0
}

!skipping && /^[[:space:]]*service[[:space:]]/ { skipping = 1; depth = 0; seen_open = 0; first = 1 }

skipping {
    track($0)
    print first ? "// (service block omitted for protoc-c)" : ""   # keeps Schema/'s line numbers
    first = 0
    next
}

/^[[:space:]]*optional[[:space:]]/ {
    code = $0
    rest = ""
    if (match(code, /;/)) { rest = substr(code, RSTART + 1); code = substr(code, 1, RSTART - 1) }
    indent = code; sub(/[^[:space:]].*$/, "", indent)
    sub(/^[[:space:]]*optional[[:space:]]+/, "", code)
    # code is now "TYPE NAME = N [options]"
    name = code; sub(/^[^[:space:]]+[[:space:]]+/, "", name); sub(/[[:space:]=].*$/, "", name)
    print indent "oneof _" name " { " code "; }" rest
    next
}

{ print }
