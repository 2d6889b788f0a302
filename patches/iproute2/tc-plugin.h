/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of tc's plugin interface that q_bpf.c uses, for building it as a
 * plugin of a distribution's tc (iproute2 6.x): tc looks up the qdisc kind
 * "bpf" in its library directory as q_bpf.so, symbol bpf_qdisc_util, and the
 * plugin calls back into the functions tc exports. Inside the iproute2 tree,
 * q_bpf.c includes tc's own headers instead (TC_PLUGIN undefined).
 */
#ifndef TC_PLUGIN_H
#define TC_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

struct qdisc_util {
	struct qdisc_util *next;
	const char *id;
	int (*parse_qopt)(struct qdisc_util *qu, int argc, char **argv,
			  struct nlmsghdr *n, const char *dev);
	int (*print_qopt)(struct qdisc_util *qu, FILE *f, struct rtattr *opt);
	int (*print_xstats)(struct qdisc_util *qu, FILE *f,
			    struct rtattr *xstats);
	int (*parse_copt)(struct qdisc_util *qu, int argc, char **argv,
			  struct nlmsghdr *n, const char *dev);
	int (*print_copt)(struct qdisc_util *qu, FILE *f, struct rtattr *opt);
	/* Room for members a later tc may read: they stay NULL. */
	void *reserved[4];
};

enum output_type {
	PRINT_FP = 1,
	PRINT_JSON = 2,
	PRINT_ANY = 4,
};

#define COLOR_NONE 0

int matches(const char *prefix, const char *string);
int get_u32(uint32_t *val, const char *arg, int base);
int addattr_l(struct nlmsghdr *n, int maxlen, int type, const void *data,
	      int alen);
int addattr32(struct nlmsghdr *n, int maxlen, int type, uint32_t data);
int addattrstrz(struct nlmsghdr *n, int maxlen, int type, const char *str);
struct rtattr *addattr_nest(struct nlmsghdr *n, int maxlen, int type);
int addattr_nest_end(struct nlmsghdr *n, struct rtattr *nest);
int parse_rtattr(struct rtattr *tb[], int max, struct rtattr *rta, int len);
bool is_json_context(void);
void open_json_object(const char *str);
void close_json_object(void);
void print_color_string(enum output_type t, int color, const char *key,
			const char *fmt, const char *value);
int bpf_dump_prog_info(FILE *f, uint32_t id);

#define parse_rtattr_nested(tb, max, rta) \
	parse_rtattr((tb), (max), RTA_DATA(rta), RTA_PAYLOAD(rta))

static inline uint32_t rta_getattr_u32(const struct rtattr *rta)
{
	return *(const uint32_t *)RTA_DATA(rta);
}

static inline const char *rta_getattr_str(const struct rtattr *rta)
{
	return (const char *)RTA_DATA(rta);
}

static inline void print_string(enum output_type t, const char *key,
				const char *fmt, const char *value)
{
	print_color_string(t, COLOR_NONE, key, fmt, value);
}

#endif /* TC_PLUGIN_H */
