// SPDX-License-Identifier: GPL-2.0
/*
 * q_bpf.c	The eBPF qdisc (sch_bpf): a queueing policy written as two BPF
 *		programs of type BPF_PROG_TYPE_SCHED_QDISC, enqueue and dequeue.
 *
 * Built inside iproute2 as tc/q_bpf.c, or, with -DTC_PLUGIN, as q_bpf.so, a
 * plugin that a distribution's tc loads from its library directory for the
 * qdisc kind "bpf".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/pkt_sched.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#ifdef TC_PLUGIN
#include "tc-plugin.h"
#else
#include "utils.h"
#include "tc_util.h"
#include "bpf_util.h"
#endif

/* How the programs are given: both when the qdisc is created. */
static void explain(void)
{
	fprintf(stderr,
		"Usage: ... bpf [ enqueue PROG ] [ dequeue PROG ]\n"
		"PROG := { obj FILE [ sec SECTION ] [ prog NAME ] | pinned PATH | fd FD | id ID }\n"
		"\n"
		"Both programs are required to create the qdisc; a change may\n"
		"replace either. An object file gives the program of SECTION\n"
		"(default sch_bpf/enqueue and sch_bpf/dequeue), or the one named\n"
		"NAME; the two programs of one object file share its maps.\n");
}

struct prog_spec {
	const char *which;	/* "enqueue" or "dequeue" */
	enum bpf_attach_type attach_type;
	const char *obj, *sec, *prog, *pinned;
	__u32 fd, id;
	bool has_fd, has_id, given;
	/* Once loaded: */
	int prog_fd;
	char label[256];
};

static int parse_prog(int *argc_p, char ***argv_p, struct prog_spec *p)
{
	int argc = *argc_p - 1;
	char **argv = *argv_p + 1;

	if (p->given) {
		fprintf(stderr, "bpf: %s given twice\n", p->which);
		return -1;
	}
	p->given = true;
	if (argc <= 0)
		goto missing;
	if (matches(*argv, "obj") == 0 || matches(*argv, "object-file") == 0) {
		if (argc < 2)
			goto missing;
		argc--, argv++;
		p->obj = *argv;
		/* Optional: sec SECTION, prog NAME. */
		while (argc > 1) {
			if (strcmp(argv[1], "sec") == 0 || strcmp(argv[1], "section") == 0) {
				if (argc < 3)
					goto missing;
				p->sec = argv[2];
			} else if (strcmp(argv[1], "prog") == 0 || strcmp(argv[1], "program") == 0) {
				if (argc < 3)
					goto missing;
				p->prog = argv[2];
			} else {
				break;
			}
			argc -= 2, argv += 2;
		}
	} else if (matches(*argv, "pinned") == 0 || matches(*argv, "object-pinned") == 0) {
		if (argc < 2)
			goto missing;
		argc--, argv++;
		p->pinned = *argv;
	} else if (strcmp(*argv, "fd") == 0) {
		if (argc < 2)
			goto missing;
		argc--, argv++;
		if (get_u32(&p->fd, *argv, 10)) {
			fprintf(stderr, "bpf: illegal %s fd \"%s\"\n", p->which, *argv);
			return -1;
		}
		p->has_fd = true;
	} else if (strcmp(*argv, "id") == 0) {
		if (argc < 2)
			goto missing;
		argc--, argv++;
		if (get_u32(&p->id, *argv, 10) || !p->id) {
			fprintf(stderr, "bpf: illegal %s id \"%s\"\n", p->which, *argv);
			return -1;
		}
		p->has_id = true;
	} else {
		fprintf(stderr, "bpf: %s: unknown program source \"%s\"\n", p->which, *argv);
		explain();
		return -1;
	}
	*argc_p = argc;
	*argv_p = argv;
	return 0;
missing:
	fprintf(stderr, "bpf: %s: incomplete program\n", p->which);
	explain();
	return -1;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The program of @p in @obj, or NULL (with a message). */
static struct bpf_program *find_prog(struct bpf_object *obj, const struct prog_spec *p)
{
	const char *sec = p->sec ? p->sec : p->attach_type == BPF_QDISC_ENQUEUE ?
			  "sch_bpf/enqueue" : "sch_bpf/dequeue";
	struct bpf_program *prog, *found = NULL;
	int n = 0;

	bpf_object__for_each_program(prog, obj) {
		if (p->prog ? strcmp(bpf_program__name(prog), p->prog) :
			      strcmp(bpf_program__section_name(prog), sec))
			continue;
		if (p->prog && p->sec && strcmp(bpf_program__section_name(prog), p->sec))
			continue;
		found = found ? found : prog;
		n++;
	}
	if (!n) {
		if (p->prog)
			fprintf(stderr, "bpf: no program %s in %s\n", p->prog, p->obj);
		else
			fprintf(stderr, "bpf: no program in section %s of %s\n", sec, p->obj);
		return NULL;
	}
	if (n > 1) {
		fprintf(stderr,
			"bpf: %d programs in section %s of %s: choose one with \"prog NAME\"\n",
			n, sec, p->obj);
		return NULL;
	}
	return found;
}

/*
 * Load the programs of @specs given by object files: each file once, with
 * only the programs asked for, so that the two programs of one file share
 * its maps.
 */
static int load_objects(struct prog_spec *specs, int n)
{
	int i, j, err;

	if (n > 2)
		return -1;
	for (i = 0; i < n; i++) {
		struct bpf_program *chosen[2] = {}, *prog;
		struct bpf_object *obj;

		if (!specs[i].obj || specs[i].prog_fd >= 0)
			continue;
		obj = bpf_object__open_file(specs[i].obj, NULL);
		err = libbpf_get_error(obj);
		if (!obj || err) {
			fprintf(stderr, "bpf: cannot open %s: %s\n", specs[i].obj,
				strerror(err ? -err : errno));
			return -1;
		}
		for (j = i; j < n; j++) {
			if (!specs[j].obj || strcmp(specs[j].obj, specs[i].obj))
				continue;
			chosen[j] = find_prog(obj, &specs[j]);
			if (!chosen[j])
				goto fail;
			if (j > i && chosen[j] == chosen[i]) {
				fprintf(stderr, "bpf: one program cannot be both enqueue and dequeue\n");
				goto fail;
			}
		}
		bpf_object__for_each_program(prog, obj)
			bpf_program__set_autoload(prog, false);
		for (j = i; j < n; j++) {
			if (!chosen[j])
				continue;
			bpf_program__set_autoload(chosen[j], true);
			if (bpf_program__set_type(chosen[j], BPF_PROG_TYPE_SCHED_QDISC) ||
			    bpf_program__set_expected_attach_type(chosen[j], specs[j].attach_type)) {
				fprintf(stderr, "bpf: cannot set the type of %s\n",
					bpf_program__name(chosen[j]));
				goto fail;
			}
		}
		err = bpf_object__load(obj);
		if (err) {
			fprintf(stderr, "bpf: cannot load %s: %s\n", specs[i].obj, strerror(-err));
			goto fail;
		}
		for (j = i; j < n; j++) {
			if (!chosen[j])
				continue;
			specs[j].prog_fd = bpf_program__fd(chosen[j]);
			snprintf(specs[j].label, sizeof(specs[j].label), "%s:[%s]",
				 base_name(specs[j].obj), bpf_program__name(chosen[j]));
		}
		/* The object stays open: the qdisc takes the programs from their fds. */
		continue;
fail:
		bpf_object__close(obj);
		return -1;
	}
	return 0;
}

static int get_prog_fd(struct prog_spec *p)
{
	if (p->prog_fd >= 0)
		return 0;
	if (p->pinned) {
		p->prog_fd = bpf_obj_get(p->pinned);
		if (p->prog_fd < 0) {
			fprintf(stderr, "bpf: %s: cannot get %s: %s\n", p->which, p->pinned,
				strerror(errno));
			return -1;
		}
		snprintf(p->label, sizeof(p->label), "%s", p->pinned);
	} else if (p->has_fd) {
		p->prog_fd = p->fd;
	} else if (p->has_id) {
		p->prog_fd = bpf_prog_get_fd_by_id(p->id);
		if (p->prog_fd < 0) {
			fprintf(stderr, "bpf: %s: no program with id %u: %s\n", p->which, p->id,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int bpf_parse_opt(struct qdisc_util *qu, int argc, char **argv,
			 struct nlmsghdr *n, const char *dev)
{
	struct prog_spec specs[2] = {
		{ .which = "enqueue", .attach_type = BPF_QDISC_ENQUEUE, .prog_fd = -1 },
		{ .which = "dequeue", .attach_type = BPF_QDISC_DEQUEUE, .prog_fd = -1 },
	};
	static const int fd_attr[2] = {
		TCA_SCH_BPF_ENQUEUE_PROG_FD, TCA_SCH_BPF_DEQUEUE_PROG_FD,
	};
	static const int name_attr[2] = {
		TCA_SCH_BPF_ENQUEUE_PROG_NAME, TCA_SCH_BPF_DEQUEUE_PROG_NAME,
	};
	struct rtattr *tail;
	int i;

	while (argc > 0) {
		if (strcmp(*argv, "enqueue") == 0) {
			if (parse_prog(&argc, &argv, &specs[0]))
				return -1;
		} else if (strcmp(*argv, "dequeue") == 0) {
			if (parse_prog(&argc, &argv, &specs[1]))
				return -1;
		} else if (strcmp(*argv, "help") == 0) {
			explain();
			return -1;
		} else {
			fprintf(stderr, "bpf: unknown parameter \"%s\"\n", *argv);
			explain();
			return -1;
		}
		argc--, argv++;
	}
	if (load_objects(specs, 2))
		return -1;
	tail = addattr_nest(n, 1024, TCA_OPTIONS | NLA_F_NESTED);
	for (i = 0; i < 2; i++) {
		if (!specs[i].given)
			continue;
		if (get_prog_fd(&specs[i]))
			return -1;
		addattr32(n, 1024, fd_attr[i], specs[i].prog_fd);
		if (specs[i].label[0])
			addattrstrz(n, 1024, name_attr[i], specs[i].label);
	}
	addattr_nest_end(n, tail);
	return 0;
}

static void print_prog(FILE *f, const char *which, struct rtattr *name, struct rtattr *id)
{
	if (!id)
		return;
	open_json_object(which);
	print_string(PRINT_FP, NULL, "%s ", which);
	if (name)
		print_string(PRINT_ANY, "label", "%s ", rta_getattr_str(name));
	bpf_dump_prog_info(f, rta_getattr_u32(id));
	close_json_object();
}

static int bpf_print_opt(struct qdisc_util *qu, FILE *f, struct rtattr *opt)
{
	struct rtattr *tb[TCA_SCH_BPF_MAX + 1];

	if (!opt)
		return 0;
	parse_rtattr_nested(tb, TCA_SCH_BPF_MAX, opt);
	print_prog(f, "enqueue", tb[TCA_SCH_BPF_ENQUEUE_PROG_NAME],
		   tb[TCA_SCH_BPF_ENQUEUE_PROG_ID]);
	print_prog(f, "dequeue", tb[TCA_SCH_BPF_DEQUEUE_PROG_NAME],
		   tb[TCA_SCH_BPF_DEQUEUE_PROG_ID]);
	return 0;
}

static void explain_class(void)
{
	fprintf(stderr,
		"Usage: ... class add ... classid MAJOR:MINOR bpf\n"
		"A class of a bpf qdisc takes no parameter: its child qdisc (a pfifo, or\n"
		"what \"tc qdisc add ... parent MAJOR:MINOR\" grafts) holds the packets that\n"
		"the programs pass to it (SCH_BPF_PASS).\n");
}

static int bpf_parse_class_opt(struct qdisc_util *qu, int argc, char **argv,
			       struct nlmsghdr *n, const char *dev)
{
	if (argc > 0) {
		if (strcmp(*argv, "help") != 0)
			fprintf(stderr, "bpf: unknown class parameter \"%s\"\n", *argv);
		explain_class();
		return -1;
	}
	return 0;
}

static int bpf_print_class_opt(struct qdisc_util *qu, FILE *f, struct rtattr *opt)
{
	return 0;
}

struct qdisc_util bpf_qdisc_util = {
	.id		= "bpf",
	.parse_qopt	= bpf_parse_opt,
	.print_qopt	= bpf_print_opt,
	.parse_copt	= bpf_parse_class_opt,
	.print_copt	= bpf_print_class_opt,
};
