// Non-variadic wrappers around libedit's variadic el_set/el_get/history, which Swift cannot call,
// and around el_init, whose FILE* arguments (stdin, stdout) Swift 6 cannot reference.
#include <histedit.h>
#include <stdio.h>

static inline EditLine *chop_el_init(const char *program) { return el_init(program, stdin, stdout, stderr); }

static inline int chop_el_set_prompt_esc(EditLine *el, char *(*prompt)(EditLine *), char marker) {
    return el_set(el, EL_PROMPT_ESC, prompt, marker);
}
static inline int chop_el_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int chop_el_set_signal(EditLine *el, int flag) { return el_set(el, EL_SIGNAL, flag); }
static inline int chop_el_set_history(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
static inline int chop_el_set_clientdata(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
static inline void *chop_el_get_clientdata(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}
static inline int chop_el_addfn(EditLine *el, const char *name, const char *help,
                                unsigned char (*fn)(EditLine *, int)) {
    return el_set(el, EL_ADDFN, name, help, fn);
}
static inline int chop_el_bind(EditLine *el, const char *key, const char *name) {
    return el_set(el, EL_BIND, key, name, NULL);
}
static inline int chop_el_set_terminal_size_refresh(EditLine *el) { return el_set(el, EL_REFRESH); }

static inline int chop_history_setsize(History *h, int size) {
    HistEvent ev;
    return history(h, &ev, H_SETSIZE, size);
}
static inline int chop_history_setunique(History *h, int flag) {
    HistEvent ev;
    return history(h, &ev, H_SETUNIQUE, flag);
}
static inline int chop_history_enter(History *h, const char *line) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, line);
}
static inline int chop_history_load(History *h, const char *file) {
    HistEvent ev;
    return history(h, &ev, H_LOAD, file);
}
static inline int chop_history_save(History *h, const char *file) {
    HistEvent ev;
    return history(h, &ev, H_SAVE, file);
}
