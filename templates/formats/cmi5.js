// cmi5 runtime (docs/tracking.md): the AU side of cmi5, in cmi5 packages only. ES5 for old WebViews.
// Launched with cmi5 parameters, it fetches the token and the launch data, then offers coursepack.js the
// SCORM 2004 interface it already speaks, and sends what it records as xAPI statements. Without them
// (opened from a folder) it only loads coursepack.js: the offline course, no request at all.
(function (w, d) {
  var C = w.coursepackCourse, s = d.getElementsByTagName('script'), me = s[s.length - 1].src,
    ADL = 'http://adlnet.gov/expapi/', CMI5 = 'https://w3id.org/xapi/cmi5/context/',
    L, up, data, auth, B = {}, V = {}, I = {}, jobs = [], next = 0, t0, busy, broke, began, ended, leaving, failed;

  function start() { // coursepack.js, beside this file, runs the course
    var e = d.createElement('script');
    e.src = me.replace(/cmi5\.js(\?.*)?$/, 'coursepack.js');
    d.body.appendChild(e);
  }
  function params() { // the launch parameters cmi5 requires, or none
    var p = {};
    location.search.slice(1).split('&').forEach(function (x) {
      var i = x.indexOf('=');
      try { if (i > 0) p[decodeURIComponent(x.slice(0, i))] = decodeURIComponent(x.slice(i + 1).replace(/\+/g, ' ')); } catch (e) {}
    });
    if (!p.endpoint || !p.fetch || !p.registration || !p.activityId || !p.actor) return;
    try { p.actor = JSON.parse(p.actor); } catch (e) { return; }
    p.endpoint = p.endpoint.replace(/\/?$/, '/');
    return p;
  }
  function mastery(m) { if (C && typeof m == 'number') C.mastery = Math.round(m * 1e6) / 1e4; } // 0..1 -> percent

  function xhr(m, u, body, cb, sync) { // cb(status, text)
    var r = new XMLHttpRequest();
    try {
      r.open(m, u, !sync);
      if (auth) {
        r.setRequestHeader('Authorization', auth);
        r.setRequestHeader('X-Experience-API-Version', '1.0.3');
      }
      if (body != null) r.setRequestHeader('Content-Type', 'application/json');
      r.onreadystatechange = function () { if (r.readyState == 4) cb(r.status, r.responseText); };
      r.send(body == null ? null : JSON.stringify(body));
    } catch (e) { cb(0, ''); }
  }
  function json(t) { try { return JSON.parse(t); } catch (e) {} }
  function stateUrl(id) { // the State API document `id` of this learner, AU and registration
    return L.endpoint + 'activities/state?stateId=' + encodeURIComponent(id) + '&activityId=' + encodeURIComponent(L.activityId) +
      '&agent=' + encodeURIComponent(JSON.stringify(L.actor)) + '&registration=' + encodeURIComponent(L.registration);
  }

  // The token, fetched once per launch: a second fetch (a reload) gets error-code 1, and the session has
  // ended (terminated went as the page went), so the course then runs on its own and says so.
  function token(cb) {
    xhr('POST', L.fetch, null, function (st, text) {
      var r = json(text) || {};
      cb(st == 200 && r['auth-token']);
    });
  }
  function launch() {
    token(function (t) {
      if (!t) return fail();
      auth = 'Basic ' + t;
      xhr('GET', stateUrl('LMS.LaunchData'), null, function (st, text) {
        data = st == 200 && json(text);
        if (!data || !data.contextTemplate) return fail();
        L.masteryScore = data.masteryScore;
        mastery(data.masteryScore);
        xhr('GET', stateUrl('coursepack'), null, function (st, text) {
          B = st == 200 && json(text) || {};
          w.API_1484_11 = api;
          start();
        });
      });
    });
  }
  function fail() { // coursepack.js keeps the work in this browser, and tells the learner the LMS has not got it
    w.API_1484_11 = {Initialize: function () { return 'false'; }};
    start();
  }

  // statements
  function uuid() {
    var b = [], c = w.crypto, i;
    for (i = 0; i < 16; i++) b[i] = Math.random() * 256 | 0;
    if (c && c.getRandomValues && w.Uint8Array) b = [].slice.call(c.getRandomValues(new Uint8Array(16)));
    b[6] = b[6] & 15 | 64;
    b[8] = b[8] & 63 | 128;
    return b.map(function (x, i) { return (/^[468]$|^10$/.test(i) ? '-' : '') + (x + 256).toString(16).slice(1); }).join('');
  }
  function span(ms) { return 'PT' + Math.round(ms / 10) / 100 + 'S'; }
  // The LMS's context template, with the registration, and for a cmi5 defined statement the cmi5 category
  // (and moveOn for completed, passed, failed); an allowed one names the AU as its parent instead.
  function context(defined, moveOn, ms) {
    var c = JSON.parse(JSON.stringify(data.contextTemplate)), a = c.contextActivities = c.contextActivities || {};
    c.registration = L.registration;
    if (defined) a.category = (a.category || []).concat({id: CMI5 + 'categories/cmi5'}, moveOn ? {id: CMI5 + 'categories/moveon'} : []);
    else a.parent = (a.parent || []).concat({id: L.activityId});
    if (ms) (c.extensions = c.extensions || {})[CMI5 + 'extensions/masteryscore'] = data.masteryScore;
    return c;
  }
  function say(verb, result, moveOn, score) { // a cmi5 defined statement about the AU
    var r = {id: uuid(), timestamp: new Date().toISOString(), actor: L.actor, verb: {id: ADL + 'verbs/' + verb, display: {'en-US': verb}},
      object: {id: L.activityId, objectType: 'Activity'}, context: context(1, moveOn, score && typeof data.masteryScore == 'number')};
    if (result) r.result = result;
    return r;
  }
  function question(id) { // the course model's question of an interaction id '<quiz>.<question>'
    var p = id.split('.'), z = C.quizzes.filter(function (z) { return z.id == p[0]; })[0];
    return {z: z || {}, q: z && z.questions.filter(function (q) { return q.id == p[1]; })[0] || {}};
  }
  function list(a) { // options, items or labels as xAPI interaction components, ids as coursepack.js sends them
    return (a || []).map(function (x, i) { return {id: (i + 10).toString(36), description: lang(x.text == null ? x : x.text)}; });
  }
  function lang(text) { var o = {}; o[C.lang] = text; return o; }
  function answered(x) { // one cmi.interactions.n as coursepack.js set it
    var p = question(x.id), q = p.q, k = x.type, def = {type: ADL + 'activities/cmi.interaction', interactionType: k,
        name: lang(q.prompt || x.description || x.id)}, r = {response: x.learner_response, duration: x.latency};
    if (x['correct_responses.0.pattern'] != null) def.correctResponsesPattern = [x['correct_responses.0.pattern']];
    if (k == 'choice' || k == 'sequencing') def.choices = list(q.options || q.items);
    if (k == 'matching') { def.source = list(q.left); def.target = list(q.right); }
    if (k == 'likert') def.scale = (q.labels || []).map(function (t, i) { return {id: '' + (i + 1), description: lang(t)}; });
    if (x.result != 'neutral') r.success = x.result == 'correct';
    return {id: uuid(), timestamp: new Date().toISOString(), actor: L.actor, verb: {id: ADL + 'verbs/answered', display: {'en-US': 'answered'}},
      object: {id: L.activityId + '/' + x.id, objectType: 'Activity', definition: def}, result: r, context: context()};
  }
  // What coursepack.js recorded since the last call, as statements, and the bookmark. completed and passed
  // once per registration, failed once per session, after a graded quiz was sent and never after passed;
  // none of them outside Normal mode (coursepack.js records nothing in Browse and Review).
  function flush() {
    var out = [], graded, sc = +V['cmi.score.scaled'], score = {scaled: sc}, ms = new Date() - t0, z;
    for (; I[next]; next++) {
      out.push(answered(I[next]));
      z = question(I[next].id).z;
      graded = graded || z.graded && !z.survey;
    }
    if (data.launchMode == 'Normal') {
      if (V['cmi.completion_status'] == 'completed' && !B.completed) {
        B.completed = 1;
        out.push(say('completed', {completion: true, duration: span(ms)}, 1));
      }
      if (V['cmi.success_status'] == 'passed' && !B.passed && sc == sc && !(sc < data.masteryScore)) {
        B.passed = 1;
        out.push(say('passed', {score: score, success: true, duration: span(ms)}, 1, 1));
      } else if (V['cmi.success_status'] == 'failed' && graded && !B.passed && !failed && sc == sc) {
        failed = 1;
        out.push(say('failed', {score: score, success: false, duration: span(ms)}, 1, 1));
      }
    }
    if (out.length) jobs.push({m: 'POST', u: L.endpoint + 'statements', b: out});
    if (V['cmi.suspend_data'] != null) {
      B.state = V['cmi.suspend_data'];
      B.raw = V['cmi.score.raw'];
      jobs = jobs.filter(function (j, i) { return j.m != 'PUT' || busy && !i; }); // only the newest bookmark waits
      jobs.push({m: 'PUT', u: stateUrl('coursepack'), b: JSON.parse(JSON.stringify(B))});
    }
  }
  // One request at a time, in order; a refused one stays first and is tried again on the next commit.
  function pump() {
    var j = jobs[0];
    if (busy || leaving) return;
    if (!j) return ended && data.returnURL && (location.href = data.returnURL);
    busy = 1;
    xhr(j.m, j.u, j.b, function (st) {
      busy = 0;
      broke = !(st >= 200 && st < 300);
      if (!broke) {
        jobs.shift();
        pump();
      }
    });
  }
  // The page is going: what waits goes now, in requests the browser finishes after the page has gone.
  function last() {
    var out = [], put;
    jobs.slice(busy ? 1 : 0).forEach(function (j) { if (j.m == 'POST') out = out.concat(j.b); else put = j; });
    if (out.length) away('POST', L.endpoint + 'statements', out);
    if (put) away('PUT', put.u, put.b);
    jobs = [];
  }
  function away(m, u, body) {
    var h = {'Authorization': auth, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json'};
    if (w.fetch) try { return w.fetch(u, {method: m, headers: h, body: JSON.stringify(body), keepalive: true}).then(null, function () {}); } catch (e) {}
    xhr(m, u, body, function () {}, 1); // old browsers: a synchronous request, which they allow while unloading
  }

  var mode = {Browse: 'browse', Review: 'review'}, api = { // SCORM 2004 as coursepack.js uses it
    Initialize: function () {
      if (began) return 'false';
      began = 1;
      t0 = new Date();
      jobs.push({m: 'POST', u: L.endpoint + 'statements', b: [say('initialized')]});
      pump();
      return 'true';
    },
    Terminate: function () {
      if (!began || ended) return 'false';
      flush();
      ended = 1;
      jobs.push({m: 'POST', u: L.endpoint + 'statements', b: [say('terminated', {duration: span(new Date() - t0)})]});
      if (leaving) last();
      else pump();
      return broke ? 'false' : 'true';
    },
    Commit: function () {
      if (!began || ended) return 'false';
      flush();
      pump();
      return broke ? 'false' : 'true';
    },
    GetValue: function (k) {
      var a = L.actor, kept = {'cmi.mode': mode[data.launchMode] || 'normal', 'cmi.credit': 'credit',
        'cmi.entry': B.state ? 'resume' : 'ab-initio', 'cmi.suspend_data': B.state, 'cmi.score.raw': B.raw,
        'cmi.completion_status': B.completed && 'completed', 'cmi.success_status': B.passed && 'passed',
        'cmi.learner_id': a.account ? a.account.homePage + '|' + a.account.name : a.mbox || a.mbox_sha1sum || a.openid};
      return kept[k] == null ? '' : '' + kept[k];
    },
    SetValue: function (k, v) {
      var m = /^cmi\.interactions\.(\d+)\.(.+)$/.exec(k);
      if (m) (I[m[1]] = I[m[1]] || {})[m[2]] = '' + v;
      else V[k] = '' + v;
      return 'true';
    },
    GetLastError: function () { return '0'; },
    GetErrorString: function () { return ''; },
    GetDiagnostic: function () { return ''; }
  };

  try { up = w.parent != w && w.parent.coursepackCmi5; } catch (e) {}
  if (up) mastery(up.masteryScore); // a page in the course frame: the launch data's mastery score holds here too
  L = !up && C && w.JSON && [].map && params();
  if (!L) return start();
  w.coursepackCmi5 = L;
  w.addEventListener('pagehide', function () { leaving = 1; if (ended) last(); });
  launch();
})(window, document);
