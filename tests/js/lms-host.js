// The test LMS: scorm-again's SCORM 1.2 or 2004 API on this window, every call recorded,
// and the package launched in a same-origin frame, as a real LMS does.
//
//   lms.start({version: "1.2" | "2004", launch: "pkg/x/index.html", cmi: {...}, faults: {...}})
//
// settings: scorm-again settings over the defaults below.
// window: true to launch in a new window (window.open) instead of a frame.
// decoy:  true to offer the other SCORM version's API as well (recording stubs), as some LMSs do.
// cmi:    what the LMS has stored for this learner (loadFromJSON before Initialize), over a learner id
//         and name, credit "credit" and mode "normal"; omit on a first visit.
// faults: per API method name (or "*" for all): "false" (the call fails: "false", GetValue "",
//         GetLastError "101") or "throw" (the call throws). Failed calls are recorded too.
//         lms.faults is that object: a test may add faults mid-visit (a session that expires).
// limits: {element: characters}: SetValue of a longer value is refused ("false", error 405) and the
//         older value stays, as an LMS enforcing the standard does (Moodle's "SCORM standard mode").
//
// lms.calls    every API call: {seq, t (ms since start), method, args, result, error}
// lms.commits  the CMI as the LMS would store it, after every successful Commit / Finish / Terminate
// lms.logs     what scorm-again would have logged (it never writes to the console here)
(function () {
  "use strict";

  var SPECS = {
    "1.2": {
      global: "API", klass: "Scorm12API",
      methods: ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit",
                "LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"],
      stores: ["LMSCommit", "LMSFinish"]
    },
    "2004": {
      global: "API_1484_11", klass: "Scorm2004API",
      methods: ["Initialize", "Terminate", "GetValue", "SetValue", "Commit",
                "GetLastError", "GetErrorString", "GetDiagnostic"],
      stores: ["Commit", "Terminate"]
    }
  };

  var lms = window.lms = {calls: [], commits: [], logs: [], version: null, api: null, frame: null, t0: 0};

  function snapshot(api) {
    return JSON.parse(JSON.stringify(api.renderCMIToJSONObject()));
  }

  function merge(into, from) {
    for (var key in from) {
      var value = from[key];
      if (value && typeof value === "object" && !Array.isArray(value) && into[key] && typeof into[key] === "object") {
        merge(into[key], value);
      } else {
        into[key] = value;
      }
    }
    return into;
  }

  function failed(method, how) {
    if (how === "throw") throw new Error("test LMS: " + method + " is broken");
    if (/GetLastError$/.test(method)) return "101";
    if (/GetErrorString$/.test(method)) return "General exception";
    if (/GetDiagnostic$/.test(method)) return "test LMS: broken on purpose";
    if (/GetValue$/.test(method)) return "";
    return "false";
  }

  lms.start = function (options) {
    var spec = SPECS[options.version];
    if (!spec) throw new Error("test LMS: unknown SCORM version " + options.version);
    var faults = lms.faults = options.faults || {}, limits = options.limits || {};
    var settings = {
      autocommit: false,            // the LMS stores only what the content commits
      lmsCommitUrl: false,          // no network: commits stay in this page (lms.commits)
      logLevel: 5,                  // NONE: nothing on the console; messages go to lms.logs
      onLogMessage: function (level, message) { lms.logs.push({level: level, message: String(message)}); },
      autoCompleteLessonStatus: false,
      mastery_override: false,      // SCORM 1.2: true lets the LMS decide passed/failed by mastery_score
      score_overrides_status: false
    };
    for (var key in options.settings || {}) settings[key] = options.settings[key];
    var api = new window[spec.klass](settings);
    // What any LMS hands a learner taking the course for credit, under whatever was stored before.
    var learner = options.version === "1.2"
      ? {core: {student_id: "learner-1", student_name: "Learner, Test", credit: "credit", lesson_mode: "normal"}}
      : {learner_id: "learner-1", learner_name: "Learner, Test", credit: "credit", mode: "normal"};
    api.loadFromJSON(merge(learner, options.cmi || {}));
    lms.version = options.version;
    lms.api = api;
    lms.t0 = performance.now();

    spec.methods.forEach(function (method) {
      var real = api[method];
      api[method] = function () {
        var args = Array.prototype.slice.call(arguments);
        var call = {seq: lms.calls.length, t: Math.round(performance.now() - lms.t0), method: method,
                    args: args.map(String), result: null, error: null};
        lms.calls.push(call);
        var how = faults[method] || faults["*"];
        if (how) {
          call.result = how === "throw" ? "(threw)" : failed(method, how);
          call.error = "101";
          return failed(method, how);
        }
        if (/SetValue$/.test(method) && limits[args[0]] != null && String(args[1]).length > limits[args[0]]) {
          call.result = "false";
          call.error = "405";
          return "false";
        }
        var result = real.apply(api, args);
        call.result = result === undefined ? null : String(result);
        if (!/GetLastError$|GetErrorString$|GetDiagnostic$/.test(method)) call.error = String(api.lastErrorCode);
        if (spec.stores.indexOf(method) >= 0 && String(result) === "true") {
          lms.commits.push({seq: call.seq, t: call.t, method: method, cmi: snapshot(api)});
        }
        return result;
      };
    });
    window[spec.global] = api;
    if (options.decoy) {
      // An LMS offering the other version's API too: every call to it is recorded as "decoy:<method>".
      var other = SPECS[options.version === "1.2" ? "2004" : "1.2"], decoy = {};
      other.methods.forEach(function (method) {
        decoy[method] = function () {
          lms.calls.push({seq: lms.calls.length, t: Math.round(performance.now() - lms.t0), method: "decoy:" + method,
                          args: Array.prototype.slice.call(arguments).map(String), result: "true", error: "0"});
          return /GetValue$/.test(method) ? "" : "true";
        };
      });
      window[other.global] = decoy;
    }

    if (options.launch && options.window) {
      // "New window" launch: the package in a window of its own; the API stays here, on its opener.
      lms.popup = window.open(options.launch, "sco");
    } else if (options.launch) {
      var frame = document.createElement("iframe");
      frame.id = "sco";
      frame.title = "Course";
      frame.src = options.launch;
      document.body.appendChild(frame);
      lms.frame = frame;
    }
    return true;
  };

  // The CMI as it is in the LMS right now (committed or not).
  lms.cmi = function () { return lms.api ? snapshot(lms.api) : null; };

  // The learner leaves the course: the LMS navigates the frame away ("blank") or drops it ("remove").
  // Either way the package's pages get pagehide and unload.
  lms.leave = function (how) {
    return new Promise(function (resolve) {
      var frame = lms.frame;
      if (!frame) return resolve(false);
      if (how === "remove") {
        frame.remove();
        lms.frame = null;
        return resolve(true);
      }
      frame.addEventListener("load", function () { resolve(true); }, {once: true});
      frame.src = "about:blank";
    });
  };

  lms.state = function () {
    return {version: lms.version, calls: lms.calls, commits: lms.commits, logs: lms.logs, cmi: lms.cmi()};
  };
})();
