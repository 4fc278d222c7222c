-- Question: How much revenue comes from discounted items compared with full-price items?
-- Description: Order lines split by whether they carried any discount.
SELECT CASE WHEN oi.discount > 0 THEN 'discounted' ELSE 'full price' END AS price_type,
       COUNT(*) AS order_lines,
       ROUND(SUM(oi.quantity * oi.unit_price * (1 - oi.discount)), 2) AS revenue
FROM order_items AS oi
JOIN orders AS o ON o.order_id = oi.order_id
WHERE o.status NOT IN ('cancelled', 'returned')
GROUP BY price_type
ORDER BY revenue DESC;
