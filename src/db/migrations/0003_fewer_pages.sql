-- 0003_fewer_pages: fewer pages written per message. Most messages carry no
-- media, so the media index keeps only those that do. users.event_seq goes:
-- the stream head is read from the events' key. media.sha256 goes too: a
-- hash of a picture in clear would tell who shared a known picture; the
-- uploader gets it once, in the upload's answer.
DROP INDEX messages_media;
CREATE INDEX messages_media ON messages (media_id) WHERE media_id IS NOT NULL;
ALTER TABLE users DROP COLUMN event_seq;
ALTER TABLE media DROP COLUMN sha256;
