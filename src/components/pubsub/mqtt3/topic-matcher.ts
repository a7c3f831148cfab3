/**
 * Whether a topic matches a subscription pattern: MQTT wildcards `+` (one level) and `#` (the rest), and
 * shared subscriptions `$share/<group>/<pattern>` matched by their pattern.
 */
export function topicMatcher(pattern: string): (topic: string) => boolean {
  const shared = /^\$share\/[^/]+\/(.+)$/.exec(pattern);
  const levels = (shared ? shared[1]! : pattern).split('/');
  return (topic: string) => {
    const parts = topic.split('/');
    for (let i = 0; i < levels.length; i++) {
      if (levels[i] === '#') return true;
      if (i >= parts.length) return false;
      if (levels[i] !== '+' && levels[i] !== parts[i]) return false;
    }
    return parts.length === levels.length;
  };
}
