-- 0003_fewer_pages: fewer pages written per message. Most messages carry no
-- media, so the media index keeps only those that do. (users.event_seq is
-- no longer maintained: the stream head is read from the events' key.)
DROP INDEX messages_media;
CREATE INDEX messages_media ON messages (media_id) WHERE media_id IS NOT NULL;
