/* Test identities and the SMS outbox (the server's OutboxSMSGateway writes one line per SMS to
 * DATA_DIR/sms-outbox.log: `<unix-ms>\t<+923XXXXXXXXX>\t<text>`). */
#include "scenario_support.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t support_random(void) {
    static uint64_t fallback;
    uint64_t v = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        size_t got = fread(&v, sizeof v, 1, f);
        fclose(f);
        if (got == 1) return v;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    fallback += (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
    fallback ^= fallback << 13;     /* xorshift64 */
    fallback ^= fallback >> 7;
    fallback ^= fallback << 17;
    return fallback;
}

static void digits(char *out, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = (char)('0' + support_random() % 10);
    out[n] = '\0';
}

void support_identity(identity *id) {
    snprintf(id->name, sizeof id->name, "Ayesha Khan");
    /* 17301: Peshawar's CNIC prefix; then 8 random digits (never all zeros). */
    memcpy(id->cnic, "17301", 5);
    digits(id->cnic + 5, 8);
    /* 03 + network digit 0-4 + 8 random digits: 10^8 numbers per network, so a fresh one per run. */
    id->mobile[0] = '0';
    id->mobile[1] = '3';
    id->mobile[2] = (char)('0' + support_random() % 5);
    digits(id->mobile + 3, 8);
    snprintf(id->e164, sizeof id->e164, "+92%s", id->mobile + 1);
    /* Four digits cannot contain the 13 CNIC digits or the 10 of the mobile number. */
    char four[5];
    digits(four, 4);
    snprintf(id->password, sizeof id->password, "Peshawar-%s-Qz", four);
}

void support_idempotency_key(char *out, size_t size) {
    snprintf(out, size, "c-scenario-%016llx", (unsigned long long)support_random());
}

/* The code in an SMS text: six digits, not preceded by a digit, followed by '.'. */
static int find_code(const char *text, char code[7]) {
    for (const char *p = text; *p; p++) {
        if (p > text && isdigit((unsigned char)p[-1])) continue;
        int n = 0;
        while (n < 6 && isdigit((unsigned char)p[n])) n++;
        if (n == 6 && p[6] == '.') {
            memcpy(code, p, 6);
            code[6] = '\0';
            return 0;
        }
    }
    return -1;
}

/* Scans the outbox once: 1 found, 0 not yet, -1 unreadable (errno set). */
static int scan(const char *path, const char *e164, char code[7]) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return errno == ENOENT ? 0 : -1;
    char line[1024];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        char *tab1 = strchr(line, '\t');
        char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (!tab2) continue;
        *tab2 = '\0';
        if (strcmp(tab1 + 1, e164) != 0) continue;
        char c[7];
        if (find_code(tab2 + 1, c) == 0) {     /* keep the newest */
            memcpy(code, c, 7);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

int support_sms_code(const char *data_dir, const char *e164, int wait_ms, char code[7],
                     char *err, size_t err_size) {
    char path[4096];
    snprintf(path, sizeof path, "%s/sms-outbox.log", data_dir);
    for (int waited = 0;; waited += 100) {
        int r = scan(path, e164, code);
        if (r == 1) return 0;
        if (r < 0) {
            snprintf(err, err_size, "%s: %s", path, strerror(errno));
            return -1;
        }
        if (waited >= wait_ms) break;
        struct timespec pause = {0, 100 * 1000000L};
        nanosleep(&pause, NULL);
    }
    snprintf(err, err_size, "no SMS with a code for %s in %s within %d ms", e164, path, wait_ms);
    return -1;
}
