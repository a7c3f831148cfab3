/**
 * MQTT-style topic filters, the wildcard syntax the in-memory bus declares: `+` matches one
 * `/`-separated level, a trailing `#` matches any number of levels. Other topics match exactly.
 */
export function topicMatcher(filter: string): (topic: string) => boolean {
  if (!filter.includes('+') && !filter.includes('#')) return (topic) => topic === filter;
  const levels = filter.split('/');
  return (topic) => {
    const parts = topic.split('/');
    for (let i = 0; i < levels.length; i++) {
      if (levels[i] === '#') return i === levels.length - 1;
      if (i >= parts.length) return false;
      if (levels[i] !== '+' && levels[i] !== parts[i]) return false;
    }
    return parts.length === levels.length;
  };
}
