-- 0008_avatar: a profile picture (头像, data-map category avatar): an image
-- the user uploaded (media), shown to the peers of their conversations.
ALTER TABLE users ADD COLUMN avatar_media_id BIGINT;
