"""Audio: capture, VAD, end-pointing, speech recognition, speech synthesis, playback, meeting recorder."""
