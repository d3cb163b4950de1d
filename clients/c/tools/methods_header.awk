# Writes portal_methods.h: one macro per RPC method of Schema/, its path as the CALL frame
# carries it (docs/PROTOCOL.md section 3), e.g.
#   #define PORTAL_V1_CITIZEN_SERVICE_FILE_COMPLAINT "/portal.v1.CitizenService/FileComplaint"
# mawk and gawk alike; usage: awk -f methods_header.awk Schema/a.proto Schema/b.proto ...
function snake(s,    out, i, c, prev, next_c) {
    out = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1); prev = substr(s, i - 1, 1); next_c = substr(s, i + 1, 1)
        if (c ~ /[A-Z]/ && i > 1 && (prev ~ /[a-z0-9]/ || (prev ~ /[A-Z]/ && next_c ~ /[a-z]/))) out = out "_"
        out = out c
    }
    return toupper(out)
}
BEGIN {
    print "/* Generated from Schema/ by clients/c/tools/methods_header.awk; do not edit. */"
    print "#ifndef PORTAL_METHODS_H"
    print "#define PORTAL_METHODS_H"
}
FNR == 1 { pkg = ""; svc = ""; named = 0 }
/^[[:space:]]*package[[:space:]]/ { pkg = $2; sub(/;.*/, "", pkg) }
/^[[:space:]]*service[[:space:]]/ { svc = $2; sub(/\{.*/, "", svc) }
/^[[:space:]]*rpc[[:space:]]/ {
    m = $0
    sub(/^[[:space:]]*rpc[[:space:]]+/, "", m)
    sub(/[[:space:]]*\(.*/, "", m)
    shape = ""
    if ($0 ~ /rpc[^(]*\([[:space:]]*stream[[:space:]]/) shape = "client"
    if ($0 ~ /returns[[:space:]]*\([[:space:]]*stream[[:space:]]/) shape = shape (shape == "" ? "server" : "/server")
    if (!named) { print ""; print "/* " FILENAME " */"; named = 1 }
    macro = pkg; gsub(/\./, "_", macro)
    printf "#define %s_%s_%s \"/%s.%s/%s\"%s\n", toupper(macro), snake(svc), snake(m), pkg, svc, m,
           shape == "" ? "" : "  /* " shape " streaming */"
}
END { print ""; print "#endif" }
