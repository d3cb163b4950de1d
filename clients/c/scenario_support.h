/* What portal_scenario.c needs besides the protocol: a fresh, valid citizen identity per run
 * and the SMS verification code from the development server's outbox file. */
#ifndef SCENARIO_SUPPORT_H
#define SCENARIO_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct identity {
    char name[32];
    char cnic[14];          /* 13 digits */
    char mobile[12];        /* 03XXXXXXXXX */
    char e164[14];          /* +923XXXXXXXXX, as the server stores it */
    char password[24];      /* 8+ characters, letters and digits, none of the CNIC/mobile digits */
} identity;

/* Random bits from /dev/urandom (or the clock and pid when it cannot be read). */
uint64_t support_random(void);

/* A random but valid identity: a Peshawar-style CNIC and a mobile number unique per run. */
void support_identity(identity *id);

/* An idempotency key for FileComplaint (8-64 of letters, digits, -_.:). */
void support_idempotency_key(char *out, size_t size);

/* Waits up to wait_ms for `<unix-ms>\t<e164>\t<text>` in DATA_DIR/sms-outbox.log and copies
 * the 6-digit code of the newest such line (the digits followed by '.') into code.
 * Returns 0, or -1 with the reason in err. */
int support_sms_code(const char *data_dir, const char *e164, int wait_ms, char code[7],
                     char *err, size_t err_size);

#endif
