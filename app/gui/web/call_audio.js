// An online call in another tab (Meet, Teams, Jitsi in the browser) recorded with the meeting (issue 23).
// Flet 1.0 runs no page script from Python, and its recorder (flet-audio-recorder, the "record" package)
// opens the microphone with getUserMedia. The app asks it for a microphone that does not exist,
// "pa-call-tab-audio" (app/gui/shell.py, CALL_AUDIO_DEVICE); this answers that request with two channels:
// the real microphone in the first, the sound of a tab the user picks (getDisplayMedia, the browser's own
// picker; "share tab audio" ticked) in the second. The server keeps the channels apart: the user and the
// far side of the call are separate speakers. Any other getUserMedia goes through unchanged.
//
// The picker is opened first, while the press on Start still counts as the user's (browsers allow
// getDisplayMedia only then). Cancelled, or shared without sound: the second channel is silence and the
// server says so after a few seconds (meeting.no_tab_audio). Stopping the recording ends the sharing.
(() => {
  const media = navigator.mediaDevices;
  if (!media || typeof media.getUserMedia !== "function") return;
  const CALL_DEVICE = "pa-call-tab-audio";
  const RATE = 44100;  // what the app asks the recorder for (CAPTURE_RATE)
  const state = { calls: 0, tab: "none", error: "" };
  window.__callAudio = state;
  const original = media.getUserMedia.bind(media);

  const askedForCall = (constraints) => {
    const audio = constraints && constraints.audio;
    const id = audio && typeof audio === "object" ? audio.deviceId : undefined;
    return id === CALL_DEVICE || (id && typeof id === "object" && (id.exact === CALL_DEVICE || id.ideal === CALL_DEVICE));
  };

  const shareTab = async () => {
    if (typeof media.getDisplayMedia !== "function") { state.tab = "unsupported"; return null; }
    try {
      const shared = await media.getDisplayMedia({
        video: true,  // browsers share a tab only with its picture; the picture is not used
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
        preferCurrentTab: false, selfBrowserSurface: "exclude", surfaceSwitching: "include", systemAudio: "include",
      });
      state.tab = shared.getAudioTracks().length ? "shared" : "no-audio";
      return shared;
    } catch (e) {
      state.tab = "refused";
      state.error = `${e.name}: ${e.message}`;
      return null;
    }
  };

  media.getUserMedia = async (constraints) => {
    if (!askedForCall(constraints)) return original(constraints);
    state.calls += 1;
    const shared = await shareTab();
    const micAudio = Object.assign({}, constraints.audio);
    delete micAudio.deviceId;
    micAudio.channelCount = 1;
    let mic;
    try {
      mic = await original({ audio: micAudio });
    } catch (e) {
      if (shared) shared.getTracks().forEach((t) => t.stop());
      throw e;
    }
    const ctx = new AudioContext({ sampleRate: RATE });
    const merger = ctx.createChannelMerger(2);
    const into = (stream, channel) => {  // the stream mixed down to one channel of the merger
      const source = ctx.createMediaStreamSource(stream);
      const mono = ctx.createGain();
      mono.channelCount = 1;
      mono.channelCountMode = "explicit";
      mono.channelInterpretation = "speakers";
      source.connect(mono);
      mono.connect(merger, 0, channel);
    };
    into(mic, 0);
    if (shared && shared.getAudioTracks().length) into(new MediaStream(shared.getAudioTracks()), 1);
    const out = ctx.createMediaStreamDestination();
    out.channelCount = 2;
    out.channelCountMode = "explicit";
    out.channelInterpretation = "discrete";
    merger.connect(out);
    if (ctx.state === "suspended") { try { await ctx.resume(); } catch (e) { /* resumes with the recorder's */ } }
    const track = out.stream.getAudioTracks()[0];
    // the recorder reads the rate and the channels from the track's settings, which a mixed track lacks
    const settings = track.getSettings.bind(track);
    track.getSettings = () => Object.assign({}, settings(), { sampleRate: RATE, channelCount: 2 });
    const stop = track.stop.bind(track);
    track.stop = () => {  // the recorder stops: the microphone, the sharing and the mixing end with it
      stop();
      mic.getTracks().forEach((t) => t.stop());
      if (shared) shared.getTracks().forEach((t) => t.stop());
      ctx.close().catch(() => {});
      state.tab = "none";
    };
    if (shared) {  // the user ends the sharing from the browser's bar: the call side goes silent, the mic records on
      shared.getTracks().forEach((t) => t.addEventListener("ended", () => { state.tab = "ended"; }));
    }
    return out.stream;
  };
})();
