// coursepack runtime (docs/tracking.md): quizzes, My progress, SCORM tracking. ES5 for old WebViews.
(function (w, d) {
  var C = w.coursepackCourse;
  if (!C || !d.querySelector || ![].map) return; // ES5 (and so JSON) or nothing
  var T = C.strings, P = C.pages, Z = C.quizzes, Q = [], KEY = 'coursepack:' + C.id + ':' + C.version,
    here, cur, shell, S, mem, fault, last = +new Date(), spent = 0, away, syncs = [];
  locate();
  Z.forEach(function (z, i) {
    z.i = i;
    z.m = 0; // the quiz's points in hundredths: scores are kept as whole numbers, so never rounded up
    z.questions.forEach(function (q) { q.k = Q.length; q.z = z; q.h = Math.round(q.points * 100); z.m += q.h; Q.push(q); });
  });

  function t(k, o) {
    var n = o && o.count, s, p, f;
    if (n != null) { // counted: k's plural form for n. C.plural: the CLDR category of 0-199, then of 0.1-0.99, 1.1-1.99, 2.1-2.99
      f = ('' + n).split('.')[1]; // the fraction's digits as shown: a score is kept in hundredths
      p = k + '_' + 'zero one two few many other'.split(' ')[C.plural.charAt(f ? 200 + 108 * Math.min(n | 0, 2) + (f.length < 2 ? f - 1 : 8 + +f.slice(0, 2)) : n < 200 ? n : 100 + n % 100)];
      k = T[p] == null ? k + '_other' : p;
    }
    s = T[k] == null ? k : '' + T[k];
    for (p in o) s = s.split('{' + p + '}').join(typeof o[p] == 'number' ? ('' + o[p]).replace('.', T.decimal_separator) : o[p]);
    return s;
  }
  function all(sel, e) { return [].slice.call((e || d).querySelectorAll(sel)); }
  function one(sel, e) { return (e || d).querySelector(sel); }
  function b36(n) { return n.toString(36); }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function trim(s) { return ('' + s).replace(/\s+/g, ' ').replace(/^ | $/g, ''); }
  function hide(e, yes) { e[yes ? 'setAttribute' : 'removeAttribute']('hidden', ''); } // old WebKit lacks .hidden
  function typed(q) { return q.type == 'fill' || q.type == 'text'; }
  function pct(got, of) { return of ? Math.floor(got * 100 / of) : 0; } // whole numbers: exact, never rounded up

  // state "3~seq~viewed~current~quiz records~seconds~answers" (docs/tracking.md); keep: free text cut for the LMS
  function enc(S, keep) {
    for (var v = '', i = 0, j, n; i < P.length; i += 5) {
      for (n = j = 0; j < 5; j++) n |= S.v[i + j] << j;
      v += n.toString(32);
    }
    return ['3', b36(S.n), v, S.c.toString(36), Z.map(function (z, i) {
      var r = S.q[i];
      return r ? b36(Math.min(r[0], 35)) + b36(r[1]) : '';
    }).join('.'), b36(Math.min(Math.round(S.t), 3e7)), Q.map(function (q, i) {
      var a = S.a[i] || '';
      if (keep && q.type == 'text') a = a.slice(0, keep);
      return typed(q) && a ? b36(a.length) + ':' + a : a; // typed text as is, after its length
    }).join('.')].join('~');
  }
  function dec(s) {
    var S = {n: 0, v: [], c: 'H', q: [], a: [], t: 0}, p = ('' + s).split('~'), v1 = p[0] == '1', c, a, i = 0;
    if (v1) p.splice(1, 0, '0'); // version 1: no sequence number, percent records, escaped text
    if (p[0] < 3) p.splice(5, 0, '0'); // versions 1 and 2: no time
    if (!/^[123]$/.test(p[0]) || p.length < 7) return S;
    S.n = parseInt(p[1], 36) || 0;
    S.t = parseInt(p[5], 36) || 0;
    p[2].split('').forEach(function (ch, i) {
      for (var j = 0; j < 5; j++) S.v[i * 5 + j] = parseInt(ch, 32) >> j & 1;
    });
    c = p[3];
    S.c = c == 'P' ? c : c != 'H' && P[parseInt(c, 36)] ? parseInt(c, 36) : 'H'; // H and P are never digits
    p[4].split('.').forEach(function (r, i) {
      var z = Z[i], h = parseInt(r.slice(1), 36);
      if (r && z) S.q[i] = [parseInt(r.charAt(0), 36), v1 ? Math.round(h * z.m / 100) : h];
    });
    a = p.slice(6).join('~'); // typed text may hold '~'
    if (v1) a.split('.').forEach(function (x, k) { S.a[k] = unescape(x); }); // only %7E %2E %25 occur
    else Q.forEach(function (q, k) { // an answer runs to the next '.'; typed text is its length, ':', the text
      var j = a.indexOf(typed(q) && a.charAt(i) != '.' ? ':' : '.', i), n;
      if (j < 0) j = a.length;
      n = a.charAt(j) == ':' ? parseInt(a.slice(i, j), 36) : -1;
      S.a[k] = n < 0 ? a.slice(i, j) : a.substr(j + 1, n);
      i = n < 0 ? j + 1 : j + n + 2;
    });
    return S;
  }
  // localStorage, which may be missing, full or refused: read k (no s), write s, or remove k (s empty)
  function store(k, s) {
    try { return s == null ? localStorage.getItem(k) || '' : s ? localStorage.setItem(k, s) : localStorage.removeItem(k); } catch (e) { return ''; }
  }
  // The newest state: the shell's or the stored one, unless this page's last is newer (a write refused)
  function load() {
    var s;
    try { s = shell ? shell.get() : store(KEY); } catch (e) {}
    return s && dec(s).n >= dec(mem).n ? s : mem;
  }
  function save(ix, quiet) { // quiet: no report to the LMS (the page may be going)
    var r = '';
    S.t += spent / 1e3;
    spent = 0;
    if (enc(S) != load()) S.n++; // a new state for every change (recency), the same for none
    mem = enc(S);
    try {
      if (shell) r = shell.put(mem, ix ? JSON.stringify(ix) : '', here, quiet);
      else store(KEY, mem);
    } catch (e) {}
    tell(r || fault);
  }
  // What the learner must know about where their work is kept, as a status message at the top of the page.
  function tell(k) {
    var m = one('#main'), e = one('.cp-note');
    if (!k || !m || e && e.getAttribute('data-k') == k) return;
    if (!e) {
      e = own(d.createElement('p'));
      e.className = 'cp-note';
      e.setAttribute('role', 'status');
      m.insertBefore(e, m.firstChild);
    }
    e.setAttribute('data-k', k);
    e.textContent = t(k, {n: C.keep});
  }
  // completion.rule decides; the score is the percent of all graded points, best attempt per quiz.
  function status(S) {
    var seen = 0, pts = 0, got = 0, done = true, more = false, n = 0, sent = 0, i;
    for (i = 0; i < P.length; i++) seen += S.v[i] ? 1 : 0;
    Z.forEach(function (z) {
      var r = S.q[z.i];
      if (!z.graded || z.survey) return;
      pts += z.m;
      n++;
      if (r) { got += r[1]; sent++; } else done = false;
      if (!r || !z.attempts || r[0] < z.attempts) more = true;
    });
    var ruled = C.rule != 'pages' && pts > 0, score = pts ? pct(got, pts) : null,
      comp = (C.rule == 'quiz' && ruled || seen >= P.length) && (!ruled || done) ? 'completed' : 'incomplete',
      part = ruled ? (seen + sent) / (P.length + n) : seen / P.length; // pages and graded quizzes done
    return {seen: seen, score: score, done: done, more: more, comp: comp,
      succ: ruled && done ? (score >= C.mastery ? 'passed' : 'failed') : 'unknown',
      // progress reaches 1 only when the rule is met
      prog: comp == 'completed' ? 1 : Math.min(Math.round(part * 1e4) / 1e4, 0.9999)};
  }
  // SCORM 2004: ISO 8601 durations (2 decimals at most); 1.2: HH:MM:SS.
  function span(ms, v4) {
    var c = Math.round(ms / 10), h = Math.floor(c / 360000), m = Math.floor(c / 6000) % 60, s = c % 6000 / 100;
    return v4 ? 'PT' + h + 'H' + m + 'M' + s + 'S' : pad(Math.min(h, 9999)) + ':' + pad(m) + ':' + pad(Math.floor(s));
  }
  function clock(v4) { // local time, as a 2004 timestamp or 1.2's time of day (LMSs refuse 2004 times with 'Z')
    var n = new Date(), s = new Date(n - n.getTimezoneOffset() * 6e4).toISOString();
    return v4 ? s.slice(0, 19) : s.slice(11, 19);
  }

  // the shell: the one window that talks to the LMS; the course runs in its frame
  function look(name) { // this window and 10 parents, then the opener and its parents
    for (var j = 0, x, i; j < 2; j++) {
      for (x = j ? w.opener : w, i = 0; x && i <= 10; i++) {
        try {
          if (x[name]) return x[name];
          if (x.parent == x) break;
          x = x.parent;
        } catch (e) { break; }
      }
    }
  }
  function lms() {
    // A SCORM package looks only for the API its manifest names: an LMS may offer both.
    var api = C.format != 'scorm12' && look('API_1484_11'), v4 = !!api, pre = v4 ? 'cmi.' : 'cmi.core.',
      where = pre + (v4 ? '' : 'lesson_') + 'location', n, state, loc, ended, asked, lost, cut, spare, ro, had,
      dirty, over, t0 = new Date(), frame = d.createElement('iframe');
    api = api || C.format != 'scorm2004' && look('API');
    function A(f, a, b) { // an LMS that fails or throws never stops the course
      var r;
      f = (v4 ? '' : 'LMS') + f;
      try { r = '' + (b == null ? api[f](a) : api[f](a, b)); } catch (e) { r = ''; }
      if (/Set|Com/.test(f) && r != 'true') lost = 1;
      return r;
    }
    function get(k) { return A('GetValue', k); }
    function set(k, v) { A('SetValue', k, '' + v); }
    if (!api) return;
    if (A('Initialize', '') != 'true') { fault = 'js_not_saved'; return; } // this page keeps the work, and says so
    // review, browse or no credit: show the course, change nothing the LMS records
    ro = /^(review|browse)$/.test(get(v4 ? 'cmi.mode' : 'cmi.core.lesson_mode')) || get(pre + 'credit') == 'no-credit';
    spare = KEY + ':' + get(pre + (v4 ? 'learner_id' : 'student_id'));
    if (!v4 || get('cmi.entry') == 'resume') state = get('cmi.suspend_data'); // else 2004 answers error 403
    had = v4 ? [get('cmi.completion_status'), get('cmi.success_status')] : [get('cmi.core.lesson_status')];
    had.push((!v4 || state) && get(pre + 'score.raw'));
    // The newest copy wins: what the LMS failed to store, or could not hold, is kept in this browser.
    [store(spare), store(KEY)].forEach(function (s) { if (s && dec(s).n >= dec(state).n) state = s; });
    loc = dec(state).c; // the page the newest state was on
    loc = loc == 'P' ? 'progress.html' : P[loc] ? P[loc].href : 'index.html';
    n = +get('cmi.interactions._count') || 0;
    function up(old, now) { // never back: passed stays, and a finished status never returns to incomplete or unknown
      return old == 'passed' || /completed|failed/.test(old) && /^(incomplete|unknown)$/.test(now) ? old : now;
    }
    function report(fin, ix) {
      var x = dec(state), r = status(x), score = r.score, st = up(had[0], v4 ? r.comp : r.comp == 'incomplete' ||
        r.succ == 'unknown' ? r.comp : r.succ), succ = v4 ? up(had[1], r.succ) : st;
      if (ro) return;
      lost = 0;
      if (ix) JSON.parse(ix).forEach(function (pairs) {
        var k = 'cmi.interactions.' + n++ + '.';
        pairs.forEach(function (p) { set(k + p[0], p[1]); });
      });
      if (v4) {
        set('cmi.completion_status', st);
        set('cmi.success_status', succ);
        set('cmi.progress_measure', st == 'completed' ? 1 : r.prog);
      } else set('cmi.core.lesson_status', st);
      // a score once every graded quiz has one; under rule 'both' a 1.2 LMS would pass the learner
      // on the manifest's masteryscore alone, so there it waits for every page too
      if (r.done && score != null && (v4 || C.rule != 'both' || r.comp == 'completed')) {
        score = Math.max(score, +had[v4 ? 2 : 1] || 0);
        set(pre + 'score.min', 0);
        set(pre + 'score.max', 100);
        set(pre + 'score.raw', score);
        if (v4) set('cmi.score.scaled', score / 100);
      }
      set(where, loc);
      set('cmi.suspend_data', v4 ? state : enc(x, C.keep)); // SCORM 1.2: free text cut to fit 4096 (tracking.py)
      cut = !v4 && Q.some(function (q) { return q.type == 'text' && (x.a[q.k] || '').length > C.keep; });
      // 'suspend' keeps the state for next time, also after a failed attempt that can be retried
      over = fin && /^(completed|passed|failed)$/.test(st) && !(succ == 'failed' && r.more);
      set(pre + 'exit', over ? (v4 ? 'normal' : '') : 'suspend');
      if (fin) set(pre + 'session_time', span(new Date() - t0, v4));
      else A('Commit', '');
      dirty = lost;
      // the whole state stays in this browser while the LMS lacks any of it (and not past a finished attempt)
      store(spare, lost || cut && !over ? state : '');
      store(KEY, '');
    }
    function told() { return ro ? 'js_review' : lost ? 'js_not_saved' : cut ? 'js_cut' : ''; }
    function finish() { // on leaving only Terminate/LMSFinish, which commits: a Commit now would be refused
      if (!ended) {
        report(1);
        ended = 1;
        if (A(v4 ? 'Terminate' : 'Finish', '') != 'true' && !ro) store(spare, state);
      }
      return told();
    }
    // Framed pages hand over strings only: old browsers free the objects of a page that has gone.
    w.coursepackShell = {
      v4: v4,
      get: function () { return state; },
      ask: function () { return !asked && (asked = 1); }, // the resume prompt, once a visit
      put: function (s, ix, page, quiet) { // returns what the learner must be told, if anything
        if (!ended) {
          state = s;
          loc = page;
          if (!quiet) report(0, ix); // quiet: Terminate or the next save sends it
        }
        return told();
      },
      finish: finish
    };
    frame.className = 'cp-frame';
    frame.src = loc;
    frame.title = t('js_frame_title', {title: C.title});
    frame.onload = function () { // the shell's title follows the page; focus goes into the course
      try {
        d.title = frame.contentWindow.document.title;
        frame.contentWindow.focus();
      } catch (e) {}
    };
    all('body>*').forEach(function (e) { hide(e, 1); });
    d.documentElement.className += ' cp-shell';
    d.body.appendChild(frame);
    d.addEventListener('visibilitychange', function () { if (d.visibilityState == 'hidden' && dirty) report(); });
    w.addEventListener('pagehide', finish);
    return 1;
  }

  // answers: option index, option bitmask, a base-36 digit per item, 1-5, or the text
  function norm(s, q) {
    s = trim(s);
    if (!q['case']) s = s.toLowerCase();
    return q.accents ? s : s.normalize ? s.normalize('NFD').replace(/[\u0300-\u036f]/g, '') :
      s.replace(/[\u00c0-\u00fe]/g, function (c) { // old WebViews lack normalize(): fold Latin-1 letters
        var b = 'aaaaaa.ceeeeiiii.nooooo.ouuuuy..'.charAt(c.charCodeAt(0) % 32);
        return b == '.' ? c : c < '\u00e0' ? b.toUpperCase() : b;
      });
  }
  function items(f, q) { // [select, item index] of ordering items or matching left items
    var a = q.type == 'ordering' ? 'data-item' : 'data-left';
    return all('[' + a + ']', f).map(function (li) { return [one('select', li), +li.getAttribute(a)]; });
  }
  function read(f, q) {
    var ty = q.type, v = [], m = 0, x = one('input,textarea', f);
    if (typed(q)) return !trim(x.value) ? '' : ty == 'fill' ? trim(x.value).slice(0, 100) : x.value.slice(0, 500);
    if (q.options || ty == 'likert') {
      all('input', f).forEach(function (x) { if (x.checked) { m += Math.pow(2, x.value); v.push(+x.value); } });
      return !v.length ? '' : ty == 'multiple' ? b36(m) : ty == 'likert' ? '' + (v[0] + 1) : b36(v[0]);
    }
    items(f, q).forEach(function (p) { v[p[1]] = p[0].value && b36(p[0].value - (ty == 'ordering')); });
    return v.join('').length == v.length ? v.join('') : '';
  }
  function write(f, q, v) {
    var ty = q.type, n = parseInt(v, 36);
    if (typed(q)) one('input,textarea', f).value = v;
    else if (q.options || ty == 'likert') {
      all('input', f).forEach(function (x) {
        x.checked = ty == 'multiple' ? picks(q, v).indexOf(+x.value) >= 0 : ty == 'likert' ? x.value == v - 1 : x.value == n;
      });
    } else items(f, q).forEach(function (p) { p[0].value = parseInt(v.charAt(p[1]), 36) + (ty == 'ordering'); });
  }
  function picks(q, v) { // bit i of up to 36: past the 32 bits of << and >>, so powers of 2
    for (var n = parseInt(v, 36), a = [], i = 0; i < q.options.length; i++) if (Math.floor(n / Math.pow(2, i)) % 2) a.push(i);
    return q.type == 'multiple' ? a : [n];
  }
  function order(v) { // item indices in the learner's order
    return v.split('').map(function (c, k) { return [parseInt(c, 36), k]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; }).map(function (p) { return p[1]; });
  }
  function grade(q, v) { // true, false, or null: nothing to be right about
    var ty = q.type, c = q.correct;
    if (!v || q.z.survey) return null;
    if (ty == 'fill') return q.answers.some(function (a) { return norm(a, q) == norm(v, q); });
    if (ty == 'ordering') return v == q.items.map(function (x, i) { return b36(i); }).join('');
    return ty == 'matching' ? v == c.map(b36).join('') : '' + picks(q, v) == '' + c;
  }
  // The answer as indices: options chosen, items in the learner's order, or each left item's match.
  function idx(q, v) {
    return q.type == 'ordering' ? order(v) : q.type == 'matching' ? v.split('').map(function (c) { return parseInt(c, 36); }) : picks(q, v);
  }
  function say(q, v) { // the answer in words, for the results file
    return typed(q) || q.type == 'likert' ? v : idx(q, v).map(function (x, i) {
      return q.type == 'ordering' ? q.items[x] : q.type == 'matching' ? q.left[i] + ' \u2192 ' + q.right[x] : q.options[x].text;
    }).join('; ');
  }
  // One cmi.interactions.n as [field, value] pairs. Options and items are letters a, b, c...
  // (1.2 takes one character each); responses are in each version's own format.
  function letter(i) { return b36((i + 10) % 36); }
  function inter(q, v, ok, ms, v4) {
    var ty = q.type, c = q.correct, r = v, k = ty;
    function lst(a) { // matching pairs are left[.]right
      return a.map(function (x, i) { return (ty == 'matching' ? letter(i) + (v4 ? '[.]' : '.') : '') + letter(x); }).join(v4 ? '[,]' : ',');
    }
    function tf(i) { return v4 ? '' + !i : i ? 'f' : 't'; } // option 0 is "true"
    function clean(s) { // one line; a leading '{' would read as {lang=}, and '[,]' separates 2004 responses
      return trim(s).replace(/^\{/, ' {').replace(/\[,\]/g, '[ ,]');
    }
    if (ty == 'truefalse') { k = 'true-false'; r = tf(+v); c = tf(c[0]); }
    else if (typed(q)) {
      k = ty == 'text' && v4 ? 'long-fill-in' : 'fill-in';
      r = clean(v).slice(0, k == 'fill-in' ? 250 : 4000);
      c = ty == 'fill' && (v4 ? '{case_matters=' + !!q['case'] + '}' : '') + clean(q.answers[0]).slice(0, 200);
    } else if (ty != 'likert') {
      k = ty == 'ordering' ? 'sequencing' : ty == 'matching' ? ty : 'choice';
      r = lst(idx(q, v));
      c = lst(c || q.items.map(function (x, i) { return i; }));
    }
    // '<quiz id>.<question id>': ids have no '.', so unique by construction
    r = [['id', q.z.id + '.' + q.id], ['type', k], [v4 ? 'learner_response' : 'student_response', r]];
    if (c && !q.z.survey) r.push(['correct_responses.0.pattern', c]);
    r.push(['result', ok == null ? 'neutral' : ok ? 'correct' : v4 ? 'incorrect' : 'wrong'],
      ['weighting', q.points], ['latency', span(ms, v4)], [v4 ? 'timestamp' : 'time', clock(v4)]);
    if (v4) r.push(['description', clean(q.prompt).slice(0, 250)]);
    return r;
  }

  // quiz forms. Runtime words are the page's language, also inside a module not yet translated.
  function own(e, k) {
    var h = d.documentElement;
    e.lang = h.lang;
    e.dir = h.dir;
    if (k) e.textContent = t(k);
    return e;
  }
  // full: each chosen option's mark and feedback and the question's own; otherwise right or wrong only
  function feedback(f, q, v, full) {
    var ok = grade(q, v), box = one('.cp-feedback', f);
    all('.cp-opt-fb', f).forEach(function (e) { e.parentNode.removeChild(e); });
    if (ok != null && full && q.options) all('input:checked', f).forEach(function (x) {
      var good = q.correct.indexOf(+x.value) >= 0, fb = q.options[x.value].feedback, e = d.createElement('span');
      if (fb || q.type == 'multiple') { // a mark per chosen option; bare words would repeat the question's
        e.className = 'cp-opt-fb cp-' + (good ? 'ok' : 'no');
        if (fb) e.textContent = fb;
        else e.appendChild(own(d.createElement('span'), good ? 'js_correct' : 'js_incorrect'));
        x.parentNode.appendChild(e);
      }
    });
    box.className = 'cp-feedback' + (ok == null ? '' : ok ? ' cp-ok' : ' cp-no');
    box.textContent = ok == null ? '' : ' ' + (full && q.feedback || '');
    if (ok != null) box.insertBefore(own(d.createElement('span'), ok ? 'js_correct' : 'js_incorrect'), box.firstChild);
  }
  function quiz(sec) {
    var z = Z.filter(function (x) { return x.id == sec.getAttribute('data-quiz'); })[0], fs = {}, t0 = new Date(), seen,
      btn = one('.cp-check', sec), out = own(one('.cp-result', sec));
    if (!z) return;
    all('.cp-q', sec).forEach(function (f) { fs[f.getAttribute('data-q')] = f; });
    function left() { return z.graded && z.attempts ? z.attempts - (S.q[z.i] || [0])[0] : 1; }
    function sync() { // the newest record on view, this page's or another tab's: at start (seen unset), once changed
      var n = (S.q[z.i] || [0])[0];
      if (n == seen) return;
      seen = n;
      z.questions.forEach(function (q) { if (S.a[q.k]) write(fs[q.id], q, S.a[q.k]); });
      if (n) show('');
    }
    // msg: this attempt's score; the best attempt decides passing. A graded quiz keeps its
    // answers back while the learner may try again and has not passed.
    function show(msg) {
      var best = pct(S.q[z.i][1], z.m), n = left(), pass = best >= C.mastery, full = !z.graded || pass || n < 1;
      z.questions.forEach(function (q) { feedback(fs[q.id], q, S.a[q.k], full); });
      if (z.graded) msg += t('js_best', {score: best}) + ' ' + t('progress_mastery', {mastery: C.mastery}) +
        ' ' + t(pass ? 'progress_status_passed' : n > 0 ? 'js_not_yet_passed' : 'progress_status_failed') + ' ';
      out.textContent = z.survey ? t('js_thanks') : msg + t(!z.graded || !z.attempts ? 'js_again' : n > 0 ? 'js_left' : 'js_none_left', {n: n});
      if (z.survey || n < 1) { // answers stay in view, locked
        all('input,select,textarea', sec).forEach(function (x) { x.disabled = true; });
        hide(btn, 1);
      }
    }
    hide(btn);
    sync();
    syncs.push(sync);
    one('form', sec).addEventListener('submit', function (e) {
      var miss = [], got = 0, ix = [], now = new Date(), r, vals;
      e.preventDefault();
      if (btn.hasAttribute('hidden')) return;
      vals = z.questions.map(function (q) {
        var f = fs[q.id], v = read(f, q), box = one('.cp-feedback', f), todo = !v && q.type != 'text';
        box.className = 'cp-feedback' + (todo ? ' cp-todo' : '');
        box.textContent = '';
        if (todo) box.appendChild(own(d.createElement('span'), 'js_unanswered_q'));
        if (todo) miss.push(f);
        return v;
      });
      if (miss.length) {
        out.textContent = t('js_unanswered', {count: miss.length});
        return one('input,select,textarea', miss[0]).focus();
      }
      S = dec(load()); // this attempt goes onto the newest state: another tab may have saved since
      if (left() < 1 || z.survey && S.q[z.i]) return sync(); // ... its last attempt, or this survey
      r = S.q[z.i] || [0, 0];
      z.questions.forEach(function (q, i) {
        var ok = grade(q, vals[i]);
        S.a[q.k] = vals[i];
        got += ok ? q.h : 0;
        if (shell && vals[i]) ix.push(inter(q, vals[i], ok, now - t0, shell.v4));
      });
      S.q[z.i] = [seen = r[0] + 1, Math.max(r[1], got)];
      S.c = cur;
      t0 = now;
      save(ix);
      show(t('js_score', {count: z.m / 100, score: pct(got, z.m), got: got / 100}) + ' ');
    });
  }

  // My progress
  function results(name, me) {
    var r = status(S);
    return {format: 'coursepack-results', version: 1, saved: new Date().toISOString().replace(/\.\d+/, ''), learner: name,
      profile: me, course: {id: C.id, version: C.version, lang: C.lang, title: C.title}, pages: {viewed: r.seen, total: P.length},
      completion: r.comp, success: r.succ, score: r.score, seconds: Math.round(S.t + spent / 1e3),
      quizzes: Z.map(function (z) {
        var q = S.q[z.i];
        return {id: z.id, title: z.title, graded: z.graded, survey: z.survey, attempts: q ? q[0] : 0,
          score: q && !z.survey ? pct(q[1], z.m) : null};
      }),
      answers: Q.filter(function (q) { return S.a[q.k]; }).map(function (q) {
        var ok = grade(q, S.a[q.k]);
        return {quiz: q.z.id, question: q.id, type: q.type, prompt: q.prompt, response: say(q, S.a[q.k]),
          correct: ok, points: q.points, earned: ok ? q.points : 0};
      })};
  }
  function progress() {
    var r = status(S);
    hide(one('#cp-progress'));
    // one status, as SCORM 1.2 has it: unfinished first, then passed/failed over completed
    one('#cp-status').textContent = t('progress_status_' + (r.comp == 'completed' && r.succ != 'unknown' ? r.succ : r.comp)) +
      (r.done && r.score != null ? ' ' + t('progress_score', {score: r.score}) : '') +
      (C.rule != 'pages' && r.score != null ? ' ' + t('progress_mastery', {mastery: C.mastery}) : '');
    one('#cp-pages').textContent = t('progress_pages', {done: r.seen, total: P.length});
    all('[data-page]').forEach(function (li) { hide(li, S.v[li.getAttribute('data-page')]); });
    hide(one('#cp-todo'), r.seen >= P.length);
    all('#cp-quizzes span').forEach(function (e, i) { // the page lists every quiz and survey in course order
      var q = S.q[i];
      e.textContent = t(Z[i].survey ? (q ? 'progress_survey_done' : 'progress_survey_todo') :
        q ? 'progress_quiz_done' : 'progress_quiz_todo', q && {score: pct(q[1], Z[i].m), attempts: q[0]});
    });
  }
  // The learner's name and fields (town, organisation, cohort) are kept in this browser for next time.
  function saver(f) {
    var name = one('#cp-name'), msg = one('#cp-saved'), box = one('#cp-json'), x = all('input', f), me = KEY + ':me', k = {};
    try { k = JSON.parse(store(me)) || k; } catch (e) {}
    x.forEach(function (e) { e.value = k[e.name] || ''; });
    f.addEventListener('submit', function (e) {
      var who = trim(name.value), a = d.createElement('a'), u, p = {},
        file = 'results-' + C.id + '-' + norm(who, {}).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') + '.json';
      e.preventDefault();
      x.forEach(function (e) { k[e.name] = trim(e.value); if (e != name) p[e.name] = k[e.name]; });
      store(me, JSON.stringify(k));
      if (!who) {
        msg.textContent = t('progress_name_needed');
        return name.focus();
      }
      box.value = JSON.stringify(results(who, p), null, 2);
      try { // a file from a Blob; where downloads are missing, the text to copy
        u = URL.createObjectURL(new Blob([box.value], {type: 'application/json'}));
        if (!('download' in a)) throw u;
        a.href = u;
        a.download = file;
        d.body.appendChild(a).click();
        d.body.removeChild(a);
        msg.textContent = t('progress_saved', {file: file});
      } catch (x) {
        box.parentNode.setAttribute('open', '');
        msg.textContent = t('progress_copy');
        box.select();
      }
    });
  }

  // The page: its file's name; in the single .html file, the section its own script shows (docs/tracking.md).
  function locate() {
    var s = one('[data-cp-page]:not([hidden])');
    here = s ? s.getAttribute('data-cp-page') : location.pathname.split('/').pop() || 'index.html';
    cur = here == 'progress.html' ? 'P' : 'H';
    P.forEach(function (p, i) { if (p.href == here) cur = i; });
  }
  function addr(p) { var s = one('[data-cp-page="' + p + '"]'); return s ? '#' + s.id : p; } // where a page is

  // start
  function fresh() { // the state on view: quizzes another tab answered, My progress
    syncs.forEach(function (f) { f(); });
    if (cur == 'P') progress();
  }
  function visit() {
    S = dec(load());
    if (cur != 'H' && cur != 'P') S.v[cur] = 1;
    S.c = cur;
    save();
  }
  function resume(c) {
    var box = one('.cp-resume'), b = all('button', box);
    function to(page) {
      one('#main').removeChild(box);
      if (page != here) location.href = addr(page);
      else one('#main').focus();
    }
    b[0].textContent = t('js_resume_continue', {title: c == 'P' ? t('progress_title') : P[c].title});
    b[0].onclick = function () { to(c == 'P' ? 'progress.html' : P[c].href); };
    b[1].onclick = function () { to('index.html'); };
    hide(box);
    b[0].focus();
  }
  function finisher(box) {
    var msg = one('p', box);
    hide(box);
    one('button', box).onclick = function () {
      var k = shell && shell.finish(); // what the LMS did not keep is said instead of 'saved'
      if (shell || cur == 'P') msg.textContent = t(shell ? k == 'js_review' || k == 'js_not_saved' ? k : 'js_closed' : 'js_closed_local');
      else location.href = addr('progress.html'); // no LMS: Finish shows the learner's results
    };
  }

  try { shell = w.parent != w && w.parent.coursepackShell; } catch (e) {}
  if (!shell && lms()) return;
  // Active time: the gaps between interactions while the page is shown, each counted up to 5 minutes,
  // and none after its window lost the focus until it is used again: two windows side by side count
  // once (docs/tracking.md). Kept without a report when the page is hidden, left or its window left.
  // The first two also reach a window without the focus; the last two are the window's (or an element's).
  'mousemove scroll keydown touchstart visibilitychange pagehide focus blur'.split(' ').forEach(function (k, i) {
    w.addEventListener(k, function (e) {
      var n = +new Date();
      if (i > 5 && e.target != w || i < 2 && away) return; // an element's focus or blur; or not in use
      if (i > 1) away = k == 'blur'; // a key, a touch, the page shown: in use (a focus event may never come)
      spent += last && Math.min(n - last, 3e5);
      last = n;
      if (k != 'pagehide' && !away && !d.hidden) return;
      last = 0;
      if (spent) {
        S = dec(load()); // the newest state (another tab may have saved since), and this page's time
        save(0, 1);
      }
    }, true);
  });
  var was = dec(load()).c, first;
  visit();
  if (shell) first = shell.ask();
  else try { first = !sessionStorage.getItem(KEY); sessionStorage.setItem(KEY, 1); } catch (e) { first = !d.referrer; }
  all('.cp-quiz[data-quiz]').forEach(quiz);
  if (one('#cp-save')) saver(one('#cp-save'));
  fresh();
  all('.cp-finish').forEach(finisher); // the single file has two: last module and My progress
  if (first && was != 'H' && (shell || was !== cur)) resume(was);
  else if (one('.cp-resume')) one('#main').removeChild(one('.cp-resume')); // no offer, no element
  w.addEventListener('hashchange', function () { // in the single file, maybe another page
    var before = here;
    locate();
    if (here != before) { visit(); fresh(); }
  });
  w.addEventListener('pageshow', function (e) { // back from the page cache: the state may have moved on
    if (e.persisted) { visit(); fresh(); }
  });
  w.addEventListener('storage', function (e) { // another tab saved: show what it did (never in a frame)
    if (e.key == KEY && !shell) { S = dec(load()); fresh(); }
  });
})(window, document);
